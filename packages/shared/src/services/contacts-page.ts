/**
 * The contacts list's hot path: one statement that checks the campaign and returns the page as
 * JSON text built by SQLite, in the API's shape (the `Contact` schema, as `toContact` maps it).
 *
 * Why: at 50 rows a page, handing rows to JavaScript costs more than the query. The native
 * wrapper converts every value (~0.35 µs each: 0.3 ms for 50 rows of `SELECT *`), @libsql/client
 * then builds each row with `Object.defineProperty` per column (~0.8 ms), and the mapping and
 * `JSON.stringify` come on top. SQLite's JSON functions build the same page in ~0.15 ms and one
 * string crosses into JavaScript. The index range is the same as `contactsPageQuery`'s.
 *
 * The items come in id order because the aggregate reads the page's subquery, a co-routine
 * stepping the index in order; an `ORDER BY` inside `json_group_array` would say so but sorts the
 * page again (a fifth of the statement). contacts-page.test.ts pins the order byte for byte.
 */
import type { Db } from '../db/client';
import type { ContactStatus } from '../db/schema/index';
import { AppError } from '../errors';

/**
 * `iso()` in SQL: milliseconds → `2026-12-02T10:00:00.123Z`, NULL stays NULL. `datetime` with
 * `subsec` rounds the float back to the exact millisecond (checked against `toISOString` on
 * 200,000 random instants up to 2100) and costs less than `strftime`'s format.
 */
export function isoSql(col: string): string {
  return `(replace(datetime(${col} / 1000.0, 'unixepoch', 'subsec'), ' ', 'T') || 'Z')`;
}

/** A contacts row as the API's `Contact` JSON object: the same fields, order and values as `toContact`. */
const CONTACT_JSON = `json_object(
  'id', id, 'campaignId', campaign_id, 'email', email,
  'name', nullif(concat_ws(' ', nullif(first_name, ''), nullif(last_name, '')), ''),
  'status', status, 'customJson', json(coalesce(custom_json, '{}')), 'createdAt', ${isoSql('created_at')},
  'firstName', first_name, 'lastName', last_name, 'currentStep', coalesce(current_step, 0),
  'subsequenceId', subsequence_id, 'lastSentAt', ${isoSql('last_sent_at')}, 'updatedAt', ${isoSql('updated_at')})`;

const PAGE_COLUMNS =
  'id, campaign_id, email, first_name, last_name, status, custom_json, current_step, subsequence_id, created_at, updated_at, last_sent_at';

export interface ContactsPageOpts {
  limit: number;
  after: string | null;
  status?: ContactStatus;
}

/**
 * One row: `found` (the campaign is the workspace's), `items` (a JSON array of at most `limit`
 * contacts), `last` (id of the last item when a next page exists, else NULL). Reads `limit + 1`
 * entries of (campaign, id), or of (campaign, status, id) with a status, from the cursor on.
 */
export function contactsPageJsonQuery(workspaceId: number, campaignId: string, opts: ContactsPageOpts) {
  const index = opts.status ? 'contacts_campaign_status' : 'contacts_campaign_id';
  const byStatus = opts.status ? ' AND status = ?' : '';
  const status = opts.status ? [opts.status] : [];
  // `more`: one more entry after the page's last id (the range read on from where the page stopped)
  return {
    sql: `SELECT found, items, CASE WHEN EXISTS (SELECT 1 FROM contacts INDEXED BY ${index}
              WHERE campaign_id = ?${byStatus} AND id > last AND workspace_id = ?) THEN last END AS last
          FROM (SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ? AND workspace_id = ?) AS found,
                  json_group_array(${CONTACT_JSON}) AS items, max(id) AS last
                FROM (SELECT ${PAGE_COLUMNS} FROM contacts INDEXED BY ${index}
                      WHERE campaign_id = ?${byStatus} AND id > ? AND workspace_id = ? ORDER BY id LIMIT ?))`,
    args: [
      campaignId,
      ...status,
      workspaceId,
      campaignId,
      workspaceId,
      campaignId,
      ...status,
      opts.after ?? '',
      workspaceId,
      opts.limit,
    ],
  };
}

/**
 * A page of a campaign's contacts as the list route's JSON body (`{"items":[…],"next_cursor":…}`);
 * `cursor` encodes the last id when a next page exists. 404 when the campaign is not the workspace's.
 */
export async function contactsPageJson(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: ContactsPageOpts,
  cursor: (lastId: string) => string,
): Promise<string> {
  const [found, items, last] = (await db.read(contactsPageJsonQuery(workspaceId, campaignId, opts)))[0]!;
  if (!Number(found)) throw AppError.notFound('Campaign', campaignId);
  const next = last == null ? 'null' : JSON.stringify(cursor(String(last)));
  return `{"items":${items},"next_cursor":${next}}`;
}
