/**
 * Detached mailboxes (issue 9.3): a contact whose sticky mailbox was detached moves to another
 * active mailbox of the campaign (event written, thread headers kept) instead of waiting
 * forever; a paused campaign mailbox still holds its contacts. Real libSQL file, in-process sink.
 */
import { detachMailbox, type Schedule, seededRng, VirtualClock } from '@outreach/shared';
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

describe('contacts of a detached mailbox', () => {
  let deps: TestDeps;
  let clock: VirtualClock;
  let sink: ReturnType<typeof sinkPool>;
  let workspaceId: number;
  let campaignId: string;
  const cmb: Record<'a' | 'b', string> = { a: '', b: '' };
  const mbx: Record<'a' | 'b', string> = { a: '', b: '' };

  beforeEach(async () => {
    clock = new VirtualClock(START);
    sink = sinkPool(clock);
    deps = await createTestDeps({ clock, rng: seededRng(93) });
    ({ workspaceId } = await createTestWorkspace(deps));
    const c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [
        { subject: 'one', bodyHtml: '<p>1</p>', delaySeconds: 0 },
        { subject: 'two', bodyHtml: '<p>2</p>', delaySeconds: 3600 },
      ],
    });
    campaignId = c.id;
    for (const k of ['a', 'b'] as const) {
      mbx[k] = await seedMailbox(deps, { workspaceId, address: `${k}@x.test`, dailyLimit: 100, now: START });
      cmb[k] = await attachMailbox(deps, {
        campaignId,
        mailboxId: mbx[k],
        weight: 1,
        dailyLimit: 100,
        gapBase: 0,
        gapJitter: 0,
        now: START,
      });
    }
    await seedContacts(deps, { workspaceId, campaignId, count: 6, enrolledAt: START, firstDelaySeconds: 0 });
    await tick(); // step one: both mailboxes get contacts (sticky from now on)
    clock.advance(3600_000);
  });
  afterEach(() => deps.cleanup());

  const tick = async () => {
    const r = await runDispatchTick(deps, { transports: sink });
    clock.advance(1000);
    return r;
  };
  const onA = async () =>
    (
      await rows<{ id: string }>(deps, 'SELECT id FROM contacts WHERE mailbox_id = ? ORDER BY id', [mbx.a])
    ).map((r) => r.id);

  it('moves them to another active mailbox, keeps the thread, writes the event', async () => {
    const movedIds = await onA();
    expect(movedIds.length).toBeGreaterThan(0);
    await detachMailbox(deps.db, workspaceId, campaignId, cmb.a, clock.now());
    await tick();
    expect(await onA()).toEqual([]);
    const second = sink.messages.filter((m) => m.mail.subject === 'two');
    expect(second).toHaveLength(6);
    const firstById = new Map(
      sink.messages.filter((m) => m.mail.subject === 'one').map((m) => [m.mail.to, m.mail.messageId]),
    );
    for (const m of second) {
      expect(m.mailboxAddress).toBe('b@x.test');
      expect(m.mail.inReplyTo).toBe(firstById.get(m.mail.to)); // the thread goes on
    }
    const ev = await rows<{ contact_id: string; data: string }>(
      deps,
      "SELECT contact_id, data FROM events WHERE type = 'contact.mailbox_changed' ORDER BY contact_id",
    );
    expect(ev.map((e) => e.contact_id)).toEqual(movedIds);
    expect(JSON.parse(ev[0]!.data)).toMatchObject({
      fromMailboxId: mbx.a,
      toMailboxId: mbx.b,
      reason: 'detached',
    });
    const [{ assigned_contacts: assigned } = { assigned_contacts: 0 }] = await rows<{
      assigned_contacts: number;
    }>(deps, 'SELECT assigned_contacts FROM campaign_mailboxes WHERE id = ?', [cmb.b]);
    expect(Number(assigned)).toBe(6);
    const [k] = await rows<{ status: string }>(deps, 'SELECT status FROM campaigns WHERE id = ?', [
      campaignId,
    ]);
    expect(k!.status).toBe('completed');
  });

  it('a paused campaign mailbox keeps its contacts (they wait for it)', async () => {
    const held = await onA();
    await deps.db.client.execute({
      sql: "UPDATE campaign_mailboxes SET state = 'paused' WHERE id = ?",
      args: [cmb.a],
    });
    await tick();
    await tick();
    expect(await onA()).toEqual(held);
    expect(sink.messages.filter((m) => m.mail.subject === 'two')).toHaveLength(6 - held.length);
    expect(await rows(deps, "SELECT 1 FROM events WHERE type = 'contact.mailbox_changed'")).toHaveLength(0);
  });
});
