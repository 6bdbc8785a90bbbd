/**
 * Exactly once across processes: two worker processes on one database file send a 500-contact
 * campaign; a worker killed with SIGKILL mid-run and replaced leaves no step sent twice and no
 * `sending` row unsettled. Real libSQL file, real smtp-server.
 */
import type { Schedule } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, describe, expect, it } from 'vitest';
import { children, received, startChild, stopChild, waitUntil } from './children';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};

async function seed(deps: TestDeps, smtp: TestSmtpServer, contacts: number, mailboxes: number) {
  const now = Date.now();
  const { workspaceId } = await createTestWorkspace(deps);
  const c = await seedCampaign(deps, {
    workspaceId,
    schedule: ALWAYS,
    now,
    steps: [
      { subject: 'Hello {{firstName}}', bodyHtml: '<p>Hello</p>', delaySeconds: 0 },
      { subject: 'Re: Hello {{firstName}}', bodyHtml: '<p>Again</p>', delaySeconds: 1 },
    ],
  });
  for (let i = 0; i < mailboxes; i++) {
    const mb = await seedMailbox(deps, {
      workspaceId,
      address: `s${i}@w.test`,
      dailyLimit: 5000,
      smtp: { host: smtp.host, port: smtp.port },
      now,
    });
    await attachMailbox(deps, {
      campaignId: c.id,
      mailboxId: mb,
      weight: 1,
      dailyLimit: 5000,
      gapBase: 0,
      gapJitter: 0,
      now,
    });
  }
  await seedContacts(deps, {
    workspaceId,
    campaignId: c.id,
    count: contacts,
    enrolledAt: now,
    firstDelaySeconds: 0,
  });
  return c;
}

describe('dispatch across worker processes', () => {
  let deps: TestDeps | undefined;
  let smtp: TestSmtpServer | undefined;

  afterEach(async () => {
    await Promise.all([...children].map((c) => stopChild(c, 'SIGKILL')));
    await smtp?.close();
    deps?.cleanup();
  });

  it('two workers on one database send a 500-contact campaign: every contact gets each step exactly once', async () => {
    smtp = await startSmtpServer();
    deps = await createTestDeps();
    const c = await seed(deps, smtp, 500, 4);
    const opts = JSON.stringify({ maxBatch: 5, sendLeaseMs: 30_000, holdMs: 30_000 });
    const [a, b] = await Promise.all([
      startChild(deps, { DISPATCH_OPTS: opts }),
      startChild(deps, { DISPATCH_OPTS: opts }),
    ]);
    const d = deps;
    await waitUntil(
      async () =>
        (await rows(d, "SELECT 1 FROM campaigns WHERE id = ? AND status = 'completed'", [c.id])).length === 1,
      90_000,
      'the campaign to complete',
    );
    const [sentA, sentB] = await Promise.all([stopChild(a!), stopChild(b!)]);
    // both workers did part of the work
    expect(sentA).toBeGreaterThan(0);
    expect(sentB).toBeGreaterThan(0);
    expect(sentA! + sentB!).toBe(1000);

    const counts = await received(d, smtp);
    expect(counts.size).toBe(1000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(smtp.messages.length).toBe(1000);
    const statuses = await rows<{ status: string; n: number }>(
      d,
      'SELECT status, count(*) AS n FROM sends GROUP BY status',
    );
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['sent', 1000]]);
    const events = await rows<{ n: number }>(d, "SELECT count(*) AS n FROM events WHERE type = 'send.sent'");
    expect(Number(events[0]!.n)).toBe(1000);
  }, 120_000);

  it('kill -9 of a worker mid-run, then another: no step sent twice, every sending row settled', async () => {
    smtp = await startSmtpServer();
    deps = await createTestDeps();
    const c = await seed(deps, smtp, 200, 3);
    const d = deps;
    // Worker A waits 40 ms after SMTP accepted each message before recording it: killed in that
    // window, it leaves messages delivered but not recorded — the case that must not be resent.
    const a = await startChild(d, {
      DISPATCH_OPTS: JSON.stringify({ maxBatch: 5, sendLeaseMs: 1500, holdMs: 1500 }),
      DELAY_AFTER_SMTP_MS: '40',
    });
    await waitUntil(
      async () => (await rows(d, "SELECT 1 FROM sends WHERE status = 'sent' LIMIT 30")).length >= 30,
      30_000,
      'worker A to be sending',
    );
    await waitUntil(
      async () => (await rows(d, "SELECT 1 FROM sends WHERE status = 'sending'")).length > 0,
      10_000,
      'a send in flight',
    );
    await stopChild(a, 'SIGKILL');
    const inFlight = await rows<{ id: string }>(d, "SELECT id FROM sends WHERE status = 'sending'");
    expect(inFlight.length).toBeGreaterThan(0);
    const deliveredBeforeKill = smtp.messages.length;

    const b = await startChild(d, {
      DISPATCH_OPTS: JSON.stringify({ maxBatch: 5, sendLeaseMs: 1500, holdMs: 1500 }),
    });
    await waitUntil(
      async () =>
        (await rows(d, "SELECT 1 FROM campaigns WHERE id = ? AND status = 'completed'", [c.id])).length === 1,
      90_000,
      'the campaign to complete',
    );
    await stopChild(b);

    // every send left in flight by A is settled failed/interrupted, never resent
    for (const { id } of inFlight) {
      const [s] = await rows<{ status: string; error: string }>(
        d,
        'SELECT status, error FROM sends WHERE id = ?',
        [id],
      );
      expect(s).toEqual({ status: 'failed', error: 'interrupted' });
    }
    expect((await rows(d, "SELECT 1 FROM sends WHERE status IN ('sending', 'scheduled')")).length).toBe(0);
    const counts = await received(d, smtp);
    expect(Math.max(...counts.values())).toBe(1);
    expect(smtp.messages.length).toBeGreaterThan(deliveredBeforeKill);
    // everything not interrupted arrived: 400 steps minus the interrupted ones
    const sent = await rows<{ n: number }>(d, "SELECT count(*) AS n FROM sends WHERE status = 'sent'");
    expect(Number(sent[0]!.n) + inFlight.length).toBe(400);
    // the interrupted contacts went on to their next step (or completed)
    const left = await rows(d, "SELECT 1 FROM contacts WHERE status NOT IN ('completed')");
    expect(left.length).toBe(0);
  }, 120_000);
});
