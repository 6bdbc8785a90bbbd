/**
 * Reads behind the CSV exports: pages of a campaign's contacts (keyset on id, through
 * `listContacts`) and the custom fields its contacts carry (the columns after the fixed ones).
 */
import type { Db } from '../db/client';
import { type Contact, listContacts } from './contacts';

/**
 * Every custom field name used by a campaign's contacts (none is left out: the export has a
 * column for each): `company` and `title` first, then the others in the order they first appear
 * (the import's column order); one grouped statement.
 */
export async function contactCustomKeys(db: Db, workspaceId: number, campaignId: string): Promise<string[]> {
  // One row holding the names as a JSON array: 100,000 names come back in one value instead of
  // 100,000 rows (the row-by-row transfer cost most of the time).
  const res = await db.client.execute({
    sql: `SELECT json_group_array(k) AS ks FROM (
            SELECT j.key AS k FROM contacts c, json_each(c.custom_json) j
            WHERE c.campaign_id = ? AND c.workspace_id = ? AND j.type != 'null'
            GROUP BY j.key ORDER BY j.key != 'company', j.key != 'title', min(c.id), min(j.id))`,
    args: [campaignId, workspaceId],
  });
  return JSON.parse(String(res.rows[0]?.ks ?? '[]')) as string[];
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
