/**
 * The campaigns list's hot path, like contacts-page.ts: one statement returns the page as JSON
 * text built by SQLite in the API's `Campaign` shape (as `toCampaign` maps a row), so no row, no
 * drizzle mapping and no `JSON.stringify` of 50 campaigns on the request path. Items in id order
 * as there (the subquery's order; campaigns-page.test.ts pins it).
 */
import type { Db } from '../db/client';
import type { CampaignStatus } from '../db/schema/index';
import { isoSql } from './contacts-page';

const CAMPAIGN_JSON = `json_object(
  'id', id, 'workspaceId', workspace_id, 'name', name, 'priority', priority, 'status', status,
  'schedule', json(schedule), 'stopRules', json(stop_rules), 'routingPolicy', json(routing_policy),
  'launchedAt', ${isoSql('launched_at')}, 'createdAt', ${isoSql('created_at')}, 'updatedAt', ${isoSql('updated_at')})`;

export interface CampaignsPageOpts {
  limit: number;
  after: string | null;
  status?: CampaignStatus;
}

/** One row: `items` (JSON array of at most `limit` campaigns by id), `last` (its last id when more follow). */
export function campaignsPageJsonQuery(workspaceId: number, opts: CampaignsPageOpts) {
  const byStatus = opts.status ? ' AND status = ?' : '';
  const status = opts.status ? [opts.status] : [];
  return {
    sql: `SELECT items, CASE WHEN EXISTS (SELECT 1 FROM campaigns INDEXED BY campaigns_workspace
              WHERE workspace_id = ? AND id > last${byStatus}) THEN last END AS last
          FROM (SELECT json_group_array(${CAMPAIGN_JSON}) AS items, max(id) AS last
                FROM (SELECT * FROM campaigns INDEXED BY campaigns_workspace
                      WHERE workspace_id = ? AND id > ?${byStatus} ORDER BY id LIMIT ?))`,
    args: [workspaceId, ...status, workspaceId, opts.after ?? '', ...status, opts.limit],
  };
}

/** A page of the workspace's campaigns as the list route's JSON body (`{"items":[…],"next_cursor":…}`). */
export async function campaignsPageJson(
  db: Db,
  workspaceId: number,
  opts: CampaignsPageOpts,
  cursor: (lastId: string) => string,
): Promise<string> {
  const [items, last] = (await db.read(campaignsPageJsonQuery(workspaceId, opts)))[0]!;
  const next = last == null ? 'null' : JSON.stringify(cursor(String(last)));
  return `{"items":${items},"next_cursor":${next}}`;
}
