/**
 * Executor edge cases on a real libSQL file (in-process SMTP sink): sends left `sending` by a
 * dead worker, paused campaigns, a step whose row already ended.
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

describe('dispatch executor', () => {
  let deps: TestDeps;
  let clock: VirtualClock;
  let sink: ReturnType<typeof sinkPool>;
  let c: Awaited<ReturnType<typeof seedCampaign>>;
  let contactId: string;
  let mailboxId: string;
  let cmbId: string;
  let workspaceId: number;

  beforeEach(async () => {
    clock = new VirtualClock(START);
    sink = sinkPool(clock);
    deps = await createTestDeps({ clock, rng: seededRng(5) });
    ({ workspaceId } = await createTestWorkspace(deps));
    c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [
        { subject: 'one', bodyHtml: '<p>1</p>', delaySeconds: 0 },
        { subject: 'two', bodyHtml: '<p>2</p>', delaySeconds: 0 },
      ],
    });
    mailboxId = await seedMailbox(deps, { workspaceId, address: 'me@x.test', dailyLimit: 100, now: START });
    cmbId = await attachMailbox(deps, {
      campaignId: c.id,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    [contactId] = (await seedContacts(deps, {
      workspaceId,
      campaignId: c.id,
      count: 1,
      enrolledAt: START,
      firstDelaySeconds: 0,
    })) as [string];
  });
  afterEach(() => deps.cleanup());

  const tick = async () => {
    const r = await runDispatchTick(deps, { transports: sink });
    clock.advance(1000);
    return r;
  };
  const subjects = () => sink.messages.map((m) => m.mail.subject);

  it('settles a send left sending by a dead worker as failed/interrupted, never resends it, and moves on', async () => {
    await deps.db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, campaign_mailbox_id, to_email,
              status, attempts, scheduled_at, message_id, lease_id, lease_until, created_at, updated_at)
            VALUES ('snd_dead', ?, ?, ?, ?, NULL, ?, ?, 'p0@example.com', 'sending', 1, ?, '<snd_dead@x.test>', 'gone', ?, ?, ?)`,
      args: [
        workspaceId,
        c.id,
        contactId,
        c.stepIds[0]!,
        mailboxId,
        cmbId,
        START - 60_000,
        START + 5_000,
        START,
        START,
      ],
    });
    await deps.db.client.execute({
      sql: 'UPDATE contacts SET mailbox_id = ?, next_send_at = ? WHERE id = ?',
      args: [mailboxId, START + 600_000, contactId],
    });
    const first = await tick(); // lease still running: nothing happens
    expect(first.interrupted).toBe(0);
    clock.set(START + 10_000);
    const r = await tick();
    expect(r.interrupted).toBe(1);
    const [dead] = await rows<{ status: string; error: string }>(
      deps,
      "SELECT status, error FROM sends WHERE id = 'snd_dead'",
    );
    expect(dead).toEqual({ status: 'failed', error: 'interrupted' });
    await tick();
    expect(subjects()).toEqual(['two']); // step 1 never resent
    const ev = await rows<{ type: string }>(deps, "SELECT type FROM events WHERE type = 'send.failed'");
    expect(ev).toHaveLength(1);
  });

  it('sends nothing while the campaign is paused, and resumes after', async () => {
    await deps.db.client.execute({
      sql: "UPDATE campaigns SET status = 'paused' WHERE id = ?",
      args: [c.id],
    });
    await tick();
    await tick();
    expect(subjects()).toEqual([]);
    await deps.db.client.execute({
      sql: "UPDATE campaigns SET status = 'active' WHERE id = ?",
      args: [c.id],
    });
    await tick();
    await tick();
    expect(subjects()).toEqual(['one', 'two']);
    const [k] = await rows<{ status: string }>(deps, 'SELECT status FROM campaigns WHERE id = ?', [c.id]);
    expect(k!.status).toBe('completed');
  });

  it('moves a contact past a step whose row already ended instead of sending it', async () => {
    await deps.db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, campaign_mailbox_id, to_email,
              status, attempts, scheduled_at, message_id, created_at, updated_at)
            VALUES ('snd_old', ?, ?, ?, ?, NULL, ?, ?, 'p0@example.com', 'canceled', 0, ?, '<snd_old@x.test>', ?, ?)`,
      args: [workspaceId, c.id, contactId, c.stepIds[0]!, mailboxId, cmbId, START - 60_000, START, START],
    });
    await tick();
    await tick();
    expect(subjects()).toEqual(['two']);
    const [contact] = await rows<{ status: string; current_step: number }>(
      deps,
      'SELECT status, current_step FROM contacts WHERE id = ?',
      [contactId],
    );
    expect(contact).toEqual({ status: 'completed', current_step: 2 });
  });

  it('fails a send whose template cannot render (and its contact), without SMTP', async () => {
    await deps.db.client.execute({
      sql: "UPDATE steps SET subject = 'Hi {{#open}}' WHERE id = ?",
      args: [c.stepIds[0]!],
    });
    await tick();
    expect(subjects()).toEqual([]);
    const [s1] = await rows<{ status: string; error: string }>(
      deps,
      'SELECT status, error FROM sends WHERE contact_id = ?',
      [contactId],
    );
    expect(s1!.status).toBe('failed');
    expect(s1!.error).toMatch(/^render: /);
    const [contact] = await rows<{ status: string }>(deps, 'SELECT status FROM contacts WHERE id = ?', [
      contactId,
    ]);
    expect(contact!.status).toBe('failed');
  });
});
