/**
 * A crash loses nothing (issues 9.2, 16.1, 16.2): a worker process running the production loop's
 * mode (with heartbeats) is killed with SIGKILL at random points (fixed seed), 8 times, and
 * replaced each time; the successor takes over when the dead one has been silent for 1.5 s. After
 * each kill: nothing was mailed twice, and at most one message per mailbox is in doubt
 * (`sending`: it may have reached the SMTP server). At the end every contact was mailed once,
 * except the in-doubt ones, each of them reported `failed`/`interrupted`; a graceful stop
 * (SIGTERM) leaves nothing in doubt. Real libSQL file, real smtp-server, real processes.
 */
import { campaignStats, type Schedule, seededRng } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, describe, expect, it } from 'vitest';
import { children, startChild, stopChild, waitUntil } from './children';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const CONTACTS = 1000;
const MAILBOXES = 2;
const KILLS = 8;
const ENV = {
  LOOP: '1',
  INTERVAL_MS: '20',
  // a few ms between SMTP's answer and its record: the window a kill leaves a message in doubt
  DELAY_AFTER_SMTP_MS: '3',
  // leases and holds far longer than the test: only liveness (a worker silent 1.5 s is dead)
  // can hand a killed worker's sends to its successor
  DISPATCH_OPTS: JSON.stringify({ maxBatch: 10, sendLeaseMs: 600_000, holdMs: 600_000 }),
  DEAD_AFTER_MS: '1500',
};

async function seed(deps: TestDeps, smtp: TestSmtpServer) {
  const now = Date.now();
  const { workspaceId } = await createTestWorkspace(deps);
  const c = await seedCampaign(deps, {
    workspaceId,
    schedule: ALWAYS,
    now,
    steps: [{ subject: 'Hello {{firstName}}', bodyHtml: '<p>Hello</p>', delaySeconds: 0 }],
  });
  for (let i = 0; i < MAILBOXES; i++) {
    const mb = await seedMailbox(deps, {
      workspaceId,
      address: `s${i}@crash.test`,
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
    count: CONTACTS,
    enrolledAt: now,
    firstDelaySeconds: 0,
  });
  return { campaignId: c.id, workspaceId };
}

describe('a crash loses nothing', () => {
  let deps: TestDeps | undefined;
  let smtp: TestSmtpServer | undefined;

  afterEach(async () => {
    await Promise.all([...children].map((c) => stopChild(c, 'SIGKILL')));
    await smtp?.close();
    deps?.cleanup();
  });

  it('8 random kills: no message twice, at most one in doubt per mailbox per kill, each reported', async () => {
    smtp = await startSmtpServer();
    deps = await createTestDeps();
    const d = deps;
    const sink = smtp;
    const { campaignId, workspaceId } = await seed(d, sink);
    const rng = seededRng(1609);
    /** send id → how many times the SMTP server received it */
    const receivedTimes = () => {
      const n = new Map<string, number>();
      for (const m of sink.messages) {
        const id = m.headers['x-outreach-send-id']!;
        n.set(id, (n.get(id) ?? 0) + 1);
      }
      return n;
    };
    const inDoubt = new Set<string>();
    let killsWhileSending = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = await startChild(d, ENV);
      const before = sink.messages.length;
      // once it sends, let it go on for a random while (0 – 0.4 s), then kill it wherever it is
      await waitUntil(async () => sink.messages.length > before, 30_000, 'the worker to send');
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 400)));
      const atKill = sink.messages.length;
      await stopChild(child, 'SIGKILL');
      if (atKill < CONTACTS) killsWhileSending++;
      const sending = await rows<{ id: string; mailbox_id: string }>(
        d,
        "SELECT id, mailbox_id FROM sends WHERE status = 'sending'",
      );
      const fresh = sending.filter((s) => !inDoubt.has(s.id));
      // at most one message in doubt per mailbox for this kill
      const perMailbox = new Map<string, number>();
      for (const s of fresh) perMailbox.set(s.mailbox_id, (perMailbox.get(s.mailbox_id) ?? 0) + 1);
      expect(Math.max(0, ...perMailbox.values())).toBeLessThanOrEqual(1);
      for (const s of fresh) inDoubt.add(s.id);
      // nothing mailed twice
      expect(Math.max(0, ...receivedTimes().values())).toBeLessThanOrEqual(1);
    }
    // the kills did land while messages were going out (else the test proves nothing)
    expect(killsWhileSending).toBe(KILLS);
    expect(inDoubt.size).toBeLessThanOrEqual(KILLS * MAILBOXES);

    // a survivor finishes the campaign, then stops gracefully
    const last = await startChild(d, ENV);
    await waitUntil(
      async () =>
        (await rows(d, "SELECT 1 FROM campaigns WHERE id = ? AND status = 'completed'", [campaignId]))
          .length === 1,
      45_000,
      'the campaign to complete',
    );
    await stopChild(last, 'SIGTERM');

    const sends = await rows<{ id: string; contact_id: string; status: string; error: string | null }>(
      d,
      'SELECT id, contact_id, status, error FROM sends',
    );
    const times = receivedTimes();
    expect(Math.max(...times.values())).toBe(1);
    expect(new Set(sends.map((s) => s.contact_id)).size).toBe(CONTACTS); // one row per contact
    for (const s of sends) {
      if (inDoubt.has(s.id)) {
        // in doubt: reported as interrupted, never sent again (it may or may not have arrived)
        expect(s).toMatchObject({ status: 'failed', error: 'interrupted' });
      } else {
        // everything else: sent exactly once and recorded so
        expect({ id: s.id, status: s.status, received: times.get(s.id) ?? 0 }).toEqual({
          id: s.id,
          status: 'sent',
          received: 1,
        });
      }
    }
    const events = await rows<{ n: number }>(d, "SELECT count(*) AS n FROM events WHERE type = 'send.sent'");
    expect(Number(events[0]!.n)).toBe(CONTACTS - inDoubt.size);
    // reported apart from failures: "may have been delivered"
    const stats = await campaignStats(d.db, workspaceId, campaignId);
    expect(stats.sends).toMatchObject({
      sent: CONTACTS - inDoubt.size,
      failed: 0,
      interrupted: inDoubt.size,
    });
    console.log(
      `crash test: ${KILLS} kills, ${inDoubt.size} messages in doubt (at most ${KILLS * MAILBOXES})`,
    );
  }, 120_000);

  it('a graceful stop (SIGTERM) mid-send leaves nothing in doubt and hands the queue back', async () => {
    smtp = await startSmtpServer();
    deps = await createTestDeps();
    const d = deps;
    const { campaignId } = await seed(d, smtp);
    const a = await startChild(d, { ...ENV, DELAY_AFTER_SMTP_MS: '20' });
    await waitUntil(async () => smtp!.messages.length >= 20, 30_000, 'worker A to be sending');
    await stopChild(a, 'SIGTERM');
    expect(await rows(d, "SELECT 1 FROM sends WHERE status = 'sending'")).toHaveLength(0);
    // what A had queued is due again at once (not held): B takes it over without waiting
    const held = await rows(d, "SELECT 1 FROM contacts WHERE status = 'active' AND next_send_at > ?", [
      Date.now() + 500,
    ]);
    expect(held).toHaveLength(0);
    const b = await startChild(d, ENV);
    await waitUntil(
      async () =>
        (await rows(d, "SELECT 1 FROM campaigns WHERE id = ? AND status = 'completed'", [campaignId]))
          .length === 1,
      45_000,
      'the campaign to complete',
    );
    await stopChild(b, 'SIGTERM');
    const statuses = await rows<{ status: string; n: number }>(
      d,
      'SELECT status, count(*) AS n FROM sends GROUP BY status',
    );
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['sent', CONTACTS]]);
    expect(smtp.messages).toHaveLength(CONTACTS);
  }, 90_000);
});
