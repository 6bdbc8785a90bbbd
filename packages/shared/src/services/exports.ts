/**
 * Reads behind the CSV exports: pages of a campaign's contacts (keyset on id, through
 * `listContacts`) and the custom fields its contacts carry (the columns after the fixed ones).
 */
import type { Db } from '../db/client';
import { type Contact, listContacts } from './contacts';

/** Contacts read per statement by `contactCustomKeys`: ~2.5 ms of `json_each` each (1M contacts: 2.4 s in all, which one statement held the event loop for). */
export const CUSTOM_KEYS_CHUNK = 1000;

/**
 * Every custom field name used by a campaign's contacts (none is left out: the export has a
 * column for each): `company` and `title` first, then the others in the order they first appear
 * (the import's column order). Read in keyset chunks of contacts, with an event-loop turn between
 * them: one statement over 1M contacts would hold the event loop for seconds. Each chunk answers
 * its names as one JSON array (100,000 names in one value instead of 100,000 rows) in order of
 * first appearance; chunks come in id order, so appending the names not seen yet keeps that order.
 */
export async function contactCustomKeys(db: Db, workspaceId: number, campaignId: string): Promise<string[]> {
  const seen = new Set<string>();
  let after = '';
  for (;;) {
    const res = await db.client.execute({
      sql: `WITH page AS MATERIALIZED (
              SELECT id, custom_json FROM contacts INDEXED BY contacts_campaign_id
              WHERE campaign_id = ? AND id > ? AND workspace_id = ? ORDER BY id LIMIT ?)
            SELECT (SELECT json_group_array(k) FROM (
                SELECT j.key AS k FROM page c, json_each(c.custom_json) j WHERE j.type != 'null'
                GROUP BY j.key ORDER BY min(c.id), min(j.id))) AS ks,
              (SELECT max(id) FROM page) AS last, (SELECT count(*) FROM page) AS n`,
      args: [campaignId, after, workspaceId, CUSTOM_KEYS_CHUNK],
    });
    const row = res.rows[0]!;
    for (const k of JSON.parse(String(row.ks ?? '[]')) as string[]) seen.add(k);
    if (Number(row.n) < CUSTOM_KEYS_CHUNK) break;
    after = String(row.last);
    await new Promise((r) => setImmediate(r));
  }
  const first = ['company', 'title'].filter((k) => seen.has(k));
  return [...first, ...[...seen].filter((k) => k !== 'company' && k !== 'title')];
}

/** Every contact of a campaign, `pageSize` at a time, the next page read only when asked for. */
export async function* iterateContacts(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: { pageSize?: number } = {},
): AsyncGenerator<Contact[]> {
  const limit = opts.pageSize ?? 1000;
  let after: string | null = null;
  for (;;) {
    const rows = await listContacts(db, workspaceId, campaignId, { limit, after });
    const shown = rows.length > limit ? rows.slice(0, limit) : rows;
    if (shown.length > 0) yield shown;
    if (rows.length <= limit) return;
    after = shown[shown.length - 1]!.id;
  }
}
