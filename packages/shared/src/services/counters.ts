/**
 * The repair task of the stats counters (db/schema/counters.ts). Triggers keep them exact; this
 * recomputes them anyway, as a check that costs nothing when they are right. A campaign is
 * counted in keyset chunks inside one read transaction (WAL: writers go on meanwhile), with an
 * event-loop turn between chunks, and the counters are read in the same snapshot: the difference
 * is then applied as `n = n + delta`, which stays right whatever was written since the snapshot.
 */
import type { Db } from '../db/client';

const CHUNK = 20_000;

export interface CounterDrift {
  campaignId: string;
  /** counter rows corrected (0 when the counters were right). */
  corrected: number;
}

type Key = string;

async function countInChunks(
  tx: { execute: Db['client']['execute'] },
  table: 'contacts' | 'sends',
  campaignId: string,
): Promise<Map<Key, number>> {
  const group =
    table === 'contacts' ? 'status' : "step_id || char(31) || coalesce(variant_id, '') || char(31) || status";
  const counts = new Map<Key, number>();
  let after = '';
  for (;;) {
    // one chunk: the next CHUNK ids of the campaign, then their groups
    const edge = await tx.execute({
      sql: `SELECT max(id) AS last FROM (SELECT id FROM ${table} WHERE campaign_id = ? AND id > ? ORDER BY id LIMIT ?)`,
      args: [campaignId, after, CHUNK],
    });
    const last = edge.rows[0]?.last as string | null;
    if (!last) return counts;
    const rs = await tx.execute({
      sql: `SELECT ${group} AS k, count(*) AS n FROM ${table} WHERE campaign_id = ? AND id > ? AND id <= ? GROUP BY k`,
      args: [campaignId, after, last],
    });
    for (const r of rs.rows) counts.set(String(r.k), (counts.get(String(r.k)) ?? 0) + Number(r.n));
    after = last;
    await new Promise((r) => setImmediate(r));
  }
}

/** Recomputes one campaign's counters; answers how many counter rows it had to correct. */
export async function repairCampaignCounters(db: Db, campaignId: string): Promise<CounterDrift> {
  const tx = await db.client.transaction('read');
  let contactDelta: [Key, number][] = [];
  let sendDelta: [Key, number][] = [];
  try {
    const contacts = await countInChunks(tx, 'contacts', campaignId);
    const sends = await countInChunks(tx, 'sends', campaignId);
    const cc = await tx.execute({
      sql: 'SELECT status AS k, n FROM campaign_contact_counts WHERE campaign_id = ?',
      args: [campaignId],
    });
    const sc = await tx.execute({
      sql: `SELECT step_id || char(31) || variant_id || char(31) || status AS k, n FROM campaign_send_counts
            WHERE campaign_id = ?`,
      args: [campaignId],
    });
    contactDelta = diff(contacts, cc.rows);
    sendDelta = diff(sends, sc.rows);
  } finally {
    tx.close();
  }
  const stmts = [
    ...contactDelta.map(([status, d]) => ({
      sql: `INSERT INTO campaign_contact_counts (campaign_id, status, n) VALUES (?, ?, ?)
            ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + excluded.n`,
      args: [campaignId, status, d],
    })),
    ...sendDelta.map(([k, d]) => {
      const [stepId, variantId, status] = k.split('\u001f');
      return {
        sql: `INSERT INTO campaign_send_counts (campaign_id, step_id, variant_id, status, n) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (campaign_id, step_id, variant_id, status) DO UPDATE SET n = n + excluded.n`,
        args: [campaignId, stepId!, variantId!, status!, d],
      };
    }),
  ];
  if (stmts.length) await db.client.batch(stmts, 'write');
  return { campaignId, corrected: stmts.length };
}

function diff(actual: Map<Key, number>, stored: readonly Record<string, unknown>[]): [Key, number][] {
  const out = new Map<Key, number>(actual);
  for (const r of stored) out.set(String(r.k), (out.get(String(r.k)) ?? 0) - Number(r.n));
  return [...out].filter(([, d]) => d !== 0);
}

/** Every campaign's counters (the daily maintenance run); answers the campaigns that drifted. */
export async function repairAllCounters(db: Db): Promise<CounterDrift[]> {
  const drifted: CounterDrift[] = [];
  let after = '';
  for (;;) {
    const rs = await db.client.execute({
      sql: 'SELECT id FROM campaigns WHERE id > ? ORDER BY id LIMIT 100',
      args: [after],
    });
    if (rs.rows.length === 0) return drifted;
    for (const r of rs.rows) {
      const d = await repairCampaignCounters(db, String(r.id));
      if (d.corrected) drifted.push(d);
    }
    after = String(rs.rows.at(-1)!.id);
  }
}
