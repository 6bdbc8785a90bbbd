/**
 * The threads page follows an index whatever the filter (EXPLAIN QUERY PLAN): each key range is
 * read newest first from the cursor on (no scan, no sort of the workspace's threads); several
 * intents are one covering range per intent merged in order, whose ≤ limit + 1 keys each are all
 * that is sorted, and only the page's rows are then looked up by id. The per-row message count
 * reads the contact's sends by contact, never the mailbox's.
 */
import { type ListThreadsOptions, threadsPageQuery } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.cleanup());

async function plan(q: { sql: string; args: unknown[] }): Promise<string[]> {
  const rs = await deps.db.client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.args as never });
  return rs.rows.map((r) => String(r.detail));
}

const CURSORS = [null, { updatedAt: 1_700_000_000_000, id: 'thr_zzzz' }];
const SINCE = [undefined, 1_600_000_000_000];

function checkCommon(p: string[], o: ListThreadsOptions) {
  const text = p.join('\n');
  expect(text).not.toMatch(/^SCAN (?:threads|t)\b/m);
  expect(text).toContain('SEARCH s USING INDEX sends_contact_step (contact_id=?)');
  const ranges = p.filter((l) => /^SEARCH (?:threads|t) USING (?:COVERING )?INDEX threads_/.test(l));
  for (const r of ranges) {
    if (o.after) expect(r).toContain('(updated_at,id)<(?,?)');
  }
  return ranges;
}

const INTENTS = ['interested', 'neutral', 'not_interested', 'out_of_office', 'unsubscribe', 'bounced'];

describe('threads page query plan', () => {
  it.each([
    ['unfiltered', {}, 'threads_list (workspace_id=?'],
    ['one intent', { replyIntents: ['interested'] }, 'threads_intent (workspace_id=? AND reply_intent=?'],
    ['a campaign', { campaignId: 'cmp_1' }, 'threads_campaign (campaign_id=?'],
    [
      'a campaign and one intent',
      { campaignId: 'cmp_1', replyIntents: ['interested'] },
      'threads_campaign_intent (campaign_id=? AND reply_intent=?',
    ],
    [
      'a campaign and a mailbox',
      { campaignId: 'cmp_1', mailboxId: 'mbx_1' },
      'threads_campaign (campaign_id=?',
    ],
    ['a mailbox', { mailboxId: 'mbx_1' }, 'threads_mailbox (mailbox_id=?'],
    [
      'a mailbox and one intent',
      { mailboxId: 'mbx_1', replyIntents: ['bounced'] },
      'threads_mailbox_intent (mailbox_id=? AND reply_intent=?',
    ],
  ] as const)('%s: one index range in order, nothing sorted', async (_name, filter, index) => {
    for (const after of CURSORS)
      for (const updatedSince of SINCE) {
        const o: ListThreadsOptions = { limit: 50, after, updatedSince, ...filter };
        const p = await plan(threadsPageQuery(1, o));
        const ranges = checkCommon(p, o);
        expect(ranges, p.join('\n')).toHaveLength(1);
        expect(ranges[0]).toContain(index);
        expect(p.join('\n')).not.toMatch(/TEMP B-TREE|UNION/);
      }
  });

  it.each([
    [
      'the workspace',
      {},
      /^SEARCH threads USING COVERING INDEX threads_intent \(workspace_id=\? AND reply_intent=\?/,
    ],
    [
      'a campaign',
      { campaignId: 'cmp_1' },
      /^SEARCH threads USING INDEX threads_campaign_intent \(campaign_id=\? AND reply_intent=\?/,
    ],
    [
      'a mailbox',
      { mailboxId: 'mbx_1' },
      /^SEARCH threads USING INDEX threads_mailbox_intent \(mailbox_id=\? AND reply_intent=\?/,
    ],
  ] as const)(
    'several intents in %s: one range per intent, merged; the page looked up by id',
    async (_name, filter, arm) => {
      for (const k of [2, 3, 6])
        for (const after of CURSORS)
          for (const updatedSince of SINCE) {
            const o: ListThreadsOptions = {
              limit: 50,
              after,
              updatedSince,
              replyIntents: INTENTS.slice(0, k),
              ...filter,
            };
            const p = await plan(threadsPageQuery(1, o));
            const ranges = checkCommon(p, o);
            expect(ranges, p.join('\n')).toHaveLength(k);
            for (const r of ranges) expect(r).toMatch(arm);
            expect(p).toContain('MERGE (UNION ALL)');
            // each arm's ≤ 51 keys, never more
            expect(p.filter((l) => l.includes('TEMP B-TREE'))).toHaveLength(k);
            expect(p).toContain('SEARCH t USING INDEX sqlite_autoindex_threads_1 (id=?)');
          }
    },
  );
});
