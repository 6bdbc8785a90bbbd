/**
 * The inbox's look-ups follow the index of what they look up, never the mailbox's sends
 * (EXPLAIN QUERY PLAN on a database without ANALYZE statistics, as the server runs): a mailbox
 * with 100,000 sends behind it must not be read whole for every chunk of 100 inbound mails.
 */
import { lookupStatements } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.cleanup());

async function plan(q: { sql: string; args: unknown[] }): Promise<string> {
  const rs = await deps.db.client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.args as never });
  return rs.rows.map((r) => String(r.detail)).join('\n');
}

it('Message-IDs, send ids and addresses are looked up by their own indexes', async () => {
  const [byMessageId, byUnibox, bySendId, byEmail] = lookupStatements(
    { id: 'mbx_1', workspaceId: 1 },
    ['<a@x>', '<b@x>'],
    ['snd_1'],
    ['pat@p.example'],
  );
  const plans = await Promise.all([byMessageId!, byUnibox!, bySendId!, byEmail!].map(plan));
  for (const p of plans) {
    expect(p).not.toContain('sends_mailbox_time');
    expect(p).not.toMatch(/^SCAN (?:s|sends|c|contacts|m|messages|t|threads)\b/m);
  }
  expect(plans[0]).toContain('SEARCH s USING INDEX sends_message_id (message_id=?)');
  expect(plans[1]).toContain(
    'SEARCH m USING INDEX messages_mailbox_message_id (mailbox_id=? AND message_id=?)',
  );
  expect(plans[1]).toContain('SEARCH sends USING INDEX sends_contact_step (contact_id=?)');
  expect(plans[2]).toMatch(/SEARCH s USING INDEX sqlite_autoindex_sends_1 \(id=\?\)/);
  expect(plans[3]).toContain('SEARCH c USING INDEX contacts_workspace_email (workspace_id=? AND email=?)');
  expect(plans[3]).toContain('SEARCH s USING INDEX sends_contact_step (contact_id=?)');
});
