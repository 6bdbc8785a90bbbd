/**
 * The contacts list's body is built by SQLite (contacts-page.ts): it must be, byte for byte, what
 * `JSON.stringify` of `toContact` of each row gives, for awkward values too (missing / empty / one
 * name, quotes, control characters, non-ASCII, nested custom fields, every
 * millisecond shape, far timestamps), and page exactly as before (cursor, last page, filter).
 */
import { type ContactStatus, contactsPageJsonQuery, newId, rowToContact } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/lib/pagination';
import { toContact } from '../src/routes/contacts/schema';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
let campaignId: string;
const ids: string[] = [];
const STATUSES: ContactStatus[] = ['pending', 'active', 'replied', 'bounced'];
const NAMES: [string | null, string | null][] = [
  ['Sarah', 'Chen'],
  [null, null],
  ['', ''],
  ['Ana', null],
  [null, 'Lee'],
  ['', 'Lee'],
  ['Zoë "Z"', "O'Brien\\"],
  ['tab\there', 'new\nline\u0001\u001f'],
  ['日本', '😀'],
];
const CUSTOM: string[] = [
  JSON.stringify({ company: 'Acme', title: 'CTO' }),
  JSON.stringify({ company: null, title: '' }),
  '{}',
  JSON.stringify({ nested: { a: [1, 2.5, -3, true, null, 'x"y'] }, ключ: 'значение', e: 'é\u2028' }),
  JSON.stringify({ big: 12345678901234, small: 0.000123, neg: -0 }),
];
const TIMES = [0, 1, 5, 999, 1000, 1764634200123, 1764634200100, 4102444799999, 951782400000];

beforeAll(async () => {
  t = await makeTestApp();
  const res = await t.a.req('POST', '/campaigns', { body: { name: 'Page shape' } });
  campaignId = res.body.id;
  for (let i = 0; i < 45; i++) ids.push(newId('contact', 1764634200000 + i));
  // stored out of id order (rowid order is not id order): the page's order must come from the index
  for (let k = 0; k < 45; k++) {
    const i = (k * 17) % 45;
    const id = ids[i]!;
    const [first, last] = NAMES[i % NAMES.length]!;
    await t.deps.db.client.execute({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status,
              current_step, last_sent_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        id,
        t.a.workspaceId,
        campaignId,
        `p${i}@example.com`,
        first,
        last,
        CUSTOM[i % CUSTOM.length]!,
        STATUSES[i % STATUSES.length]!,
        i % 4,
        i % 3 === 0 ? null : TIMES[(i + 3) % TIMES.length]!,
        TIMES[i % TIMES.length]!,
        TIMES[(i + 1) % TIMES.length]!,
      ],
    });
  }
});
afterAll(() => t.close());

/** The body the route answered before (rows mapped by `toContact`, then `JSON.stringify`). */
async function expected(query: { limit: number; after?: string; status?: ContactStatus }): Promise<string> {
  const rs = await t.deps.db.client.execute({
    sql: `SELECT * FROM contacts WHERE campaign_id = ? AND id > ?${query.status ? ' AND status = ?' : ''} ORDER BY id LIMIT ?`,
    args: [campaignId, query.after ?? '', ...(query.status ? [query.status] : []), query.limit + 1],
  });
  const rows = rs.rows.map((r) => rowToContact(r as Record<string, unknown>));
  const more = rows.length > query.limit;
  const shown = rows.slice(0, query.limit);
  return JSON.stringify({
    items: shown.map(toContact),
    next_cursor: more ? encodeCursor(shown.at(-1)!.id) : null,
  });
}

describe('contacts page built by SQLite', () => {
  it.each<[{ limit: number; status?: ContactStatus }]>([
    [{ limit: 50 }],
    [{ limit: 45 }],
    [{ limit: 44 }],
    [{ limit: 1 }],
    [{ limit: 7, status: 'pending' }],
    [{ limit: 50, status: 'bounced' }],
    [{ limit: 10, status: 'failed' }],
  ])('%o: the same bytes as toContact + JSON.stringify, page after page', async (q) => {
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await t.a.req('GET', `/campaigns/${campaignId}/contacts`, {
        query: { limit: q.limit, status: q.status, cursor: after ? encodeCursor(after) : undefined },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.text).toBe(await expected({ ...q, after }));
      after = res.body.next_cursor ? res.body.items.at(-1).id : undefined;
      pages++;
    } while (after);
    const total = q.status
      ? ids.filter((_, i) => STATUSES[i % STATUSES.length] === q.status).length
      : ids.length;
    expect(pages).toBe(Math.max(1, Math.ceil(total / q.limit)));
  });

  it("another workspace's campaign, or none, is 404 (no page leaks)", async () => {
    const res = await t.b.req('GET', `/campaigns/${campaignId}/contacts`);
    expect(res.status).toBe(404);
    expect((await t.a.req('GET', '/campaigns/cmp_nope/contacts')).status).toBe(404);
    // the statement itself says not found even where the contact filter would match
    const rs = await t.deps.db.client.execute(
      contactsPageJsonQuery(t.b.workspaceId, campaignId, { limit: 50, after: null }) as never,
    );
    expect(Number(rs.rows[0]!.found)).toBe(0);
    expect(rs.rows[0]!.items).toBe('[]');
  });

  it('plan: one index range for the page, one probe for the next page, no scan of contacts', async () => {
    for (const [status, index] of [
      [undefined, 'contacts_campaign_id (campaign_id=? AND id>?)'],
      ['pending', 'contacts_campaign_status (campaign_id=? AND status=? AND id>?)'],
    ] as const) {
      const q = contactsPageJsonQuery(1, 'cmp_1', { limit: 50, after: 'cnt_zz', status });
      const rs = await t.deps.db.client.execute({
        sql: `EXPLAIN QUERY PLAN ${q.sql}`,
        args: q.args as never,
      });
      const plan = rs.rows.map((r) => String(r.detail));
      expect(plan.filter((d) => d === `SEARCH contacts USING INDEX ${index}`)).toHaveLength(2);
      expect(plan.filter((d) => /contacts/.test(d) && !d.startsWith('SEARCH'))).toEqual([]);
      expect(plan).toContain('SEARCH campaigns USING INDEX sqlite_autoindex_campaigns_1 (id=?)');
    }
  });
});
