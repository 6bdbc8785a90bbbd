/**
 * The campaigns list's body is built by SQLite (campaigns-page.ts): byte for byte what
 * `JSON.stringify` of `toCampaign` of each row (drizzle's mapping) gives, page after page, with
 * and without a status filter, and only the workspace's own campaigns.
 */
import { campaignsPageJsonQuery, getCampaign, newId } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/lib/pagination';
import { toCampaign } from '../src/routes/campaigns/schema';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
const ids: string[] = [];
const STATUSES = ['draft', 'active', 'paused', 'completed', 'errored'] as const;
const SCHEDULES = [
  null,
  JSON.stringify({
    timezone: 'Europe/Paris',
    weekdays: ['mon', 'fri'],
    windows: [{ start: '09:00', end: '17:30' }],
  }),
];
const ROUTING = [null, JSON.stringify({ mode: 'round_robin', weights: { a: 1.5, 'é"x': [null, true] } })];

beforeAll(async () => {
  t = await makeTestApp();
  // through the API, then odd values straight into the table
  for (let i = 0; i < 3; i++) {
    const res = await t.a.req('POST', '/campaigns', { body: { name: `API ${i}` } });
    ids.push(res.body.id);
  }
  for (let i = 0; i < 20; i++) {
    const id = newId('campaign', 1764634200000 + i);
    ids.push(id);
    await t.deps.db.client.execute({
      sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, routing_policy,
              launched_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        id,
        t.a.workspaceId,
        i % 3 === 0 ? `Name "${i}" \\ \n 日本` : `C${i}`,
        i % 2 ? 'HIGH' : 'LOW',
        STATUSES[i % STATUSES.length]!,
        SCHEDULES[i % 2]!,
        JSON.stringify({ stopOnReply: i % 2 === 0, stopOnUnsub: true, stopOnBounce: false }),
        ROUTING[i % 2]!,
        i % 4 === 0 ? null : 1764634200000 + i * 37,
        1764634200000 + i,
        1764634200999 + i,
      ],
    });
  }
  await t.b.req('POST', '/campaigns', { body: { name: 'Not A' } });
});
afterAll(() => t.close());

async function expected(limit: number, after: string | undefined, status?: string): Promise<string> {
  const mine = [...ids].sort();
  const rows = [];
  for (const id of mine) {
    if (after && id <= after) continue;
    const row = await getCampaign(t.deps.db, t.a.workspaceId, id);
    if (status && row.status !== status) continue;
    rows.push(row);
  }
  const shown = rows.slice(0, limit);
  return JSON.stringify({
    items: shown.map(toCampaign),
    next_cursor: rows.length > limit ? encodeCursor(shown.at(-1)!.id) : null,
  });
}

describe('campaigns page built by SQLite', () => {
  it.each([[50], [23], [22], [5], [4, 'active'], [50, 'errored'], [3, 'draft']] as [number, string?][])(
    'limit %d status %s: the same bytes as toCampaign + JSON.stringify',
    async (limit, status) => {
      let after: string | undefined;
      do {
        const res = await t.a.req('GET', '/campaigns', {
          query: { limit, status, cursor: after ? encodeCursor(after) : undefined },
        });
        expect(res.status).toBe(200);
        expect(res.text).toBe(await expected(limit, after, status));
        after = res.body.next_cursor ? res.body.items.at(-1).id : undefined;
      } while (after);
    },
  );

  it("plan: one range of the workspace's index, and one probe for the next page", async () => {
    const q = campaignsPageJsonQuery(1, { limit: 50, after: 'cmp_x', status: 'active' });
    const rs = await t.deps.db.client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.args as never });
    const plan = rs.rows.map((r) => String(r.detail));
    expect(
      plan.filter((d) => d === 'SEARCH campaigns USING INDEX campaigns_workspace (workspace_id=? AND id>?)'),
    ).toHaveLength(2);
    expect(plan.filter((d) => /^SCAN campaigns/.test(d))).toEqual([]);
  });
});
