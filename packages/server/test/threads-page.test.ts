/**
 * Keyset pages of `listThreads` against a reference computed here: 600 threads in two
 * campaigns and mailboxes, six intents, many equal activity times (ties broken by id), paged
 * 7 at a time for every kind of filter (none, 1–3 intents, campaign, mailbox, either with intents,
 * updatedSince): every thread once, newest activity first, none of another workspace.
 */
import { listThreads, newId, seededRng, type Thread } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';

let deps: TestDeps;
const INTENTS = ['interested', 'not_interested', 'out_of_office', 'bounced', 'unsubscribe', 'neutral'];
const all: { id: string; ws: number; campaign: string; mailbox: string; intent: string; at: number }[] = [];

beforeAll(async () => {
  deps = await createTestDeps();
  const rng = seededRng(5);
  const base = 1_700_000_000_000;
  for (let i = 0; i < 600; i++) {
    all.push({
      id: newId('thread', base + i),
      ws: i % 10 === 0 ? 2 : 1,
      campaign: rng() < 0.5 ? 'cmp_a' : 'cmp_b',
      mailbox: rng() < 0.5 ? 'mbx_a' : 'mbx_b',
      intent: INTENTS[Math.floor(rng() * INTENTS.length)]!,
      at: base + Math.floor(rng() * 40) * 1000, // 40 distinct times: many ties
    });
  }
  await deps.db.client.execute({
    sql: `INSERT INTO threads (id, workspace_id, campaign_id, contact_id, mailbox_id, external_thread_id, subject,
            subject_display, reply_intent, message_count, created_at, updated_at)
          SELECT j.value->>0, j.value->>1, j.value->>2, 'cnt_' || (j.value->>0), j.value->>3, '<x@t>', 'Re: x', 'x',
            j.value->>4, 1, j.value->>5, j.value->>5
          FROM json_each(?) j WHERE true`,
    args: [JSON.stringify(all.map((t) => [t.id, t.ws, t.campaign, t.mailbox, t.intent, t.at]))],
  });
});
afterAll(() => deps.cleanup());

async function pages(opts: Parameters<typeof listThreads>[2]): Promise<string[]> {
  const seen: string[] = [];
  let after: { updatedAt: number; id: string } | null = null;
  for (;;) {
    const rows: Thread[] = await listThreads(deps.db, 1, { ...opts, limit: 7, after });
    const page = rows.slice(0, 7);
    seen.push(...page.map((t) => t.id));
    if (rows.length <= 7) return seen;
    const last = page[page.length - 1]!;
    after = { updatedAt: last.updatedAt, id: last.id };
  }
}

it.each([
  [{}],
  [{ replyIntents: ['interested'] }],
  [{ replyIntents: ['interested', 'neutral'] }],
  [{ replyIntents: ['bounced', 'unsubscribe', 'out_of_office'] }],
  [{ campaignId: 'cmp_a' }],
  [{ mailboxId: 'mbx_b' }],
  [{ campaignId: 'cmp_b', mailboxId: 'mbx_a' }],
  [{ campaignId: 'cmp_a', replyIntents: ['interested', 'neutral'] }],
  [{ mailboxId: 'mbx_a', replyIntents: ['not_interested'] }],
  [{ campaignId: 'cmp_b', replyIntents: ['bounced'] }],
  [{ mailboxId: 'mbx_b', replyIntents: ['out_of_office', 'unsubscribe', 'neutral'] }],
  [{ campaignId: 'cmp_a', mailboxId: 'mbx_b', replyIntents: ['interested', 'not_interested', 'neutral'] }],
  [{ replyIntents: ['interested', 'neutral'], updatedSince: 1_700_000_020_000 }],
] as const)('%j: every thread once, newest activity first', async (filter) => {
  const f = filter as {
    replyIntents?: string[];
    campaignId?: string;
    mailboxId?: string;
    updatedSince?: number;
  };
  const want = all
    .filter(
      (t) =>
        t.ws === 1 &&
        (!f.replyIntents || f.replyIntents.includes(t.intent)) &&
        (!f.campaignId || t.campaign === f.campaignId) &&
        (!f.mailboxId || t.mailbox === f.mailboxId) &&
        (f.updatedSince === undefined || t.at >= f.updatedSince),
    )
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    .map((t) => t.id);
  expect(want.length).toBeGreaterThan(10);
  expect(await pages({ limit: 7, after: null, ...f })).toEqual(want);
});
