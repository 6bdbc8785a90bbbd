/**
 * The contacts export's custom columns are read in chunks of contacts (contactCustomKeys): the
 * answer must be the one statement's over the whole campaign (company, title, then the order of
 * first appearance), also when names first appear in later chunks or at a chunk's edge.
 */
import { CUSTOM_KEYS_CHUNK, contactCustomKeys, newId } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
let campaignId: string;
const N = CUSTOM_KEYS_CHUNK * 2 + 7;

/** custom fields of contact i: names that first show up in the 1st, 2nd and 3rd chunk, nulls skipped. */
function custom(i: number): Record<string, unknown> {
  const c: Record<string, unknown> = { b: i, company: i % 2 ? 'Acme' : null };
  if (i === CUSTOM_KEYS_CHUNK - 1) c.edge = 1; // last contact of the first chunk
  if (i === CUSTOM_KEYS_CHUNK) c.a = 'x'; // first of the second
  if (i > CUSTOM_KEYS_CHUNK + 10) c['z "quoted"'] = [1];
  if (i === N - 1) c.title = 'CTO';
  if (i === 5) c.never = null;
  return c;
}

beforeAll(async () => {
  t = await makeTestApp();
  campaignId = (await t.a.req('POST', '/campaigns', { body: { name: 'Keys' } })).body.id;
  const rows = Array.from({ length: N }, (_, i) => [
    newId('contact', 1764634200000 + i),
    `k${i}@x.example`,
    JSON.stringify(custom(i)),
  ]);
  await t.deps.db.client.execute({
    sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, custom_json, status, current_step, created_at, updated_at)
          SELECT j.value->>0, ?, ?, j.value->>1, j.value->>2, 'pending', 0, 1, 1 FROM json_each(?) j WHERE true`,
    args: [t.a.workspaceId, campaignId, JSON.stringify(rows)],
  });
  // another workspace's campaign with other names must not count
  const other = (await t.b.req('POST', '/campaigns', { body: { name: 'Other' } })).body.id;
  await t.deps.db.client.execute({
    sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, custom_json, status, current_step, created_at, updated_at)
          VALUES (?, ?, ?, 'o@x.example', '{"secret":1}', 'pending', 0, 1, 1)`,
    args: [newId('contact', 1), t.b.workspaceId, other],
  });
});
afterAll(() => t.close());

describe('contactCustomKeys in chunks', () => {
  it('answers what one statement over the whole campaign answers', async () => {
    const whole = await t.deps.db.client.execute({
      sql: `SELECT json_group_array(k) AS ks FROM (
              SELECT j.key AS k FROM contacts c, json_each(c.custom_json) j
              WHERE c.campaign_id = ? AND c.workspace_id = ? AND j.type != 'null'
              GROUP BY j.key ORDER BY j.key != 'company', j.key != 'title', min(c.id), min(j.id))`,
      args: [campaignId, t.a.workspaceId],
    });
    const expected = JSON.parse(String(whole.rows[0]!.ks));
    expect(expected).toEqual(['company', 'title', 'b', 'edge', 'a', 'z "quoted"']);
    expect(await contactCustomKeys(t.deps.db, t.a.workspaceId, campaignId)).toEqual(expected);
  });

  it('an empty campaign, or another workspace asking, has none', async () => {
    const empty = (await t.a.req('POST', '/campaigns', { body: { name: 'Empty' } })).body.id;
    expect(await contactCustomKeys(t.deps.db, t.a.workspaceId, empty)).toEqual([]);
    expect(await contactCustomKeys(t.deps.db, t.b.workspaceId, campaignId)).toEqual([]);
  });
});
