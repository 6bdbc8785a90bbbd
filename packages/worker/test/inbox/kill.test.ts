/**
 * kill -9 mid-poll: a worker process reading a mailbox of 1,500 replies is killed after some
 * chunks were written; once its lease is gone another worker finishes the read. Nothing is
 * lost and nothing is doubled (messages, reply.received events, status changes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDovecot, type TestDovecot } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, pollNow, rawMail, rows, seedMailbox, seedSent } from './support';

const CHILD = fileURLToPath(new URL('./inbox-child.ts', import.meta.url));
const BOX = 'kill@acme.test';
const N = 1500;
let dovecot: TestDovecot;
let deps: TestDeps;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: PASSWORD });
  deps = await createTestDeps();
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await dovecot?.stop();
  deps?.cleanup();
});

const count = async (sql: string, args: (string | number)[] = []) =>
  Number((await rows<{ n: number }>(deps, sql, args))[0]!.n);

it('nothing lost, nothing doubled', async () => {
  const { workspaceId } = await createTestWorkspace(deps);
  const mailboxId = await seedMailbox(deps, dovecot, {
    workspaceId,
    address: BOX,
    createdAt: Date.now() - 5000,
  });
  const emails = Array.from({ length: N }, (_, i) => `k${i}@p${i % 50}.test`);
  const s = await seedSent(deps, { workspaceId, mailboxId, emails });
  await dovecot.deliverMany(
    BOX,
    s.sends.map((x, i) =>
      rawMail({
        from: emails[i]!,
        to: BOX,
        subject: 'Re: Quick question',
        text: 'Interested, tell me more.',
        inReplyTo: x[0]!.messageId,
        messageId: `<k-${i}@p.test>`,
      }),
    ),
  );
  child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: deps.config.databaseUrl, SECRET_KEY: deps.config.secretKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const deadline = Date.now() + 60_000;
  let stored = 0;
  while (Date.now() < deadline) {
    stored = await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId]);
    if (stored > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  stored = await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId]);
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(N); // killed mid-poll
  // the dead worker's lease runs out
  await deps.db.client.execute(
    "UPDATE jobs SET lease_until = 0 WHERE kind = 'inbox_poll' AND state = 'running'",
  );
  await pollNow(deps);
  expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(N);
  expect(
    await count('SELECT count(DISTINCT message_id) AS n FROM messages WHERE mailbox_id = ?', [mailboxId]),
  ).toBe(N);
  expect(
    await count("SELECT count(*) AS n FROM events WHERE type = 'reply.received' AND campaign_id = ?", [
      s.campaignId,
    ]),
  ).toBe(N);
  expect(
    await count(
      "SELECT count(*) AS n FROM events WHERE type = 'contact.status_changed' AND campaign_id = ? AND json_extract(data, '$.status') = 'replied'",
      [s.campaignId],
    ),
  ).toBe(N);
  expect(
    await count("SELECT count(*) AS n FROM contacts WHERE campaign_id = ? AND status = 'replied'", [
      s.campaignId,
    ]),
  ).toBe(N);
  expect(await count('SELECT sum(message_count) AS n FROM threads WHERE mailbox_id = ?', [mailboxId])).toBe(
    N,
  );
}, 180_000);
