/**
 * The suppression list is the last word: the engine itself refuses suppressed addresses and
 * domains, whatever the contact's status says (issue 8.2), on a real libSQL file.
 */
import { type Schedule, seededRng, VirtualClock } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox, sinkPool } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-09-01T08:00:00Z');

describe('dispatch and the suppression list', () => {
  let deps: TestDeps;
  let clock: VirtualClock;
  let sink: ReturnType<typeof sinkPool>;
  let campaignId: string;
  let workspaceId: number;
  let contactIds: string[];

  beforeEach(async () => {
    clock = new VirtualClock(START);
    sink = sinkPool(clock);
    deps = await createTestDeps({ clock, rng: seededRng(8) });
    ({ workspaceId } = await createTestWorkspace(deps));
    const c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [{ subject: 'one', bodyHtml: '<p>1</p>', delaySeconds: 0 }],
    });
    campaignId = c.id;
    const mailboxId = await seedMailbox(deps, {
      workspaceId,
      address: 'me@x.test',
      dailyLimit: 100,
      now: START,
    });
    await attachMailbox(deps, {
      campaignId,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    // p0..p3@example.com
    contactIds = await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: 4,
      enrolledAt: START,
      firstDelaySeconds: 0,
    });
  });
  afterEach(() => deps.cleanup());

  const suppress = (kind: 'email' | 'domain', value: string) =>
    // Only the list row, as if the contact had been put back to active behind its back.
    deps.db.client.execute({
      sql: `INSERT INTO suppressions (id, workspace_id, kind, value, reason, created_at)
            VALUES (?, ?, ?, ?, 'manual', ?)`,
      args: [`sup_${kind}_${value}`, workspaceId, kind, value, START],
    });
  const sentTo = () => sink.messages.map((m) => m.mail.to).sort();
  const statusOf = async (id: string) =>
    (await rows<{ status: string }>(deps, 'SELECT status FROM contacts WHERE id = ?', [id]))[0]!.status;

  it('never mails an active contact whose address or domain is on the list', async () => {
    await suppress('email', 'p1@example.com');
    // another workspace's suppression of the same address does not count
    await deps.db.client.execute({
      sql: `INSERT INTO suppressions (id, workspace_id, kind, value, reason, created_at)
            VALUES ('sup_other', ?, 'email', 'p2@example.com', 'manual', ?)`,
      args: [workspaceId + 1000, START],
    });
    for (let i = 0; i < 3; i++) {
      await runDispatchTick(deps, { transports: sink });
      clock.advance(1000);
    }
    expect(sentTo()).toEqual(['p0@example.com', 'p2@example.com', 'p3@example.com']);
    expect(await statusOf(contactIds[1]!)).toBe('suppressed');
    const sends = await rows(deps, 'SELECT id FROM sends WHERE contact_id = ?', [contactIds[1]!]);
    expect(sends).toHaveLength(0);
    const [k] = await rows<{ status: string }>(deps, 'SELECT status FROM campaigns WHERE id = ?', [
      campaignId,
    ]);
    expect(k!.status).toBe('completed');
  });

  it('a domain suppression also holds', async () => {
    await suppress('domain', 'example.com');
    await runDispatchTick(deps, { transports: sink });
    expect(sentTo()).toEqual([]);
    for (const id of contactIds) expect(await statusOf(id)).toBe('suppressed');
  });

  it('a suppression added between reservation and SMTP cancels the send', async () => {
    let reserved: { sendId: string; contactId: string }[] = [];
    await runDispatchTick(deps, {
      transports: sink,
      onReserved: async (sends) => {
        reserved = sends;
        await suppress('email', 'p3@example.com');
      },
    });
    expect(reserved).toHaveLength(4); // all four were reserved before the suppression existed
    expect(sentTo()).toEqual(['p0@example.com', 'p1@example.com', 'p2@example.com']);
    const [send] = await rows<{ status: string; error: string }>(
      deps,
      'SELECT status, error FROM sends WHERE contact_id = ?',
      [contactIds[3]!],
    );
    expect(send).toEqual({ status: 'canceled', error: 'suppressed' });
    expect(await statusOf(contactIds[3]!)).toBe('suppressed');
    const ev = await rows<{ data: string }>(
      deps,
      "SELECT data FROM events WHERE type = 'contact.status_changed' AND contact_id = ?",
      [contactIds[3]!],
    );
    expect(ev).toHaveLength(1);
    expect(JSON.parse(ev[0]!.data)).toMatchObject({ status: 'suppressed', previousStatus: 'active' });
  });
});
