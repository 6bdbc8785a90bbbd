/**
 * The contacts page reads the index from the cursor on and stops after the page: no sort, no
 * merge of branches, whatever the cursor's depth or the status filter (EXPLAIN QUERY PLAN).
 */
import { type ContactStatus, contactsPageQuery } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.cleanup());

async function plan(q: { sql: string; args: unknown[] }): Promise<string> {
  const rs = await deps.db.client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.args as never });
  return rs.rows.map((r) => String(r.detail)).join('\n');
}

describe('contacts page query plan', () => {
  it.each([
    [undefined, 'contacts_campaign_id (campaign_id=? AND id>?)'],
    ['pending', 'contacts_campaign_status (campaign_id=? AND status=? AND id>?)'],
  ])('status %s: one index range, in id order', async (status, index) => {
    for (const after of [null, 'cnt_zzzz']) {
      const p = await plan(
        contactsPageQuery(1, 'cmp_1', { limit: 50, after, status: status as ContactStatus | undefined }),
      );
      expect(p).toBe(`SEARCH contacts USING INDEX ${index}`);
      expect(p).not.toMatch(/TEMP B-TREE|UNION|SCAN/);
    }
  });
});
