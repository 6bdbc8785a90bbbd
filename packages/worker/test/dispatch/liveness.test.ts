/**
 * Liveness instead of long leases (issue 16.1): a worker silent for 30 s is dead, and a live
 * worker releases what it held at once — its in-flight send is settled `interrupted` at the next
 * tick, its reserved sends are due again and sent once, its running job can be claimed — while a
 * live worker's claims are left alone. A worker of this machine whose process is gone is dead at
 * once (a restarted `outreach start` takes over from its killed predecessor without waiting);
 * the same pid on another host proves nothing. Real libSQL file, in-process SMTP sink.
 */
import { spawnSync } from 'node:child_process';
import { type Schedule, seededRng, VirtualClock } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { claimJobs } from '../../src/queue/jobs';
import {
  DEAD_AFTER_MS,
  heartbeat,
  pidScope,
  processGone,
  releaseDeadWorkers,
} from '../../src/queue/liveness';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox, sinkPool } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-09-01T08:00:00Z');
const HOUR = 3_600_000;

describe('worker liveness', () => {
  let deps: TestDeps;
  let clock: VirtualClock;
  let workspaceId: number;
  let contacts: string[];
  let c: Awaited<ReturnType<typeof seedCampaign>>;
  let mailboxId: string;
  let cmbId: string;

  const insertSend = (id: string, contactId: string, status: string, lease: string) =>
    deps.db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, campaign_mailbox_id,
              to_email, status, attempts, scheduled_at, message_id, lease_id, lease_until, created_at, updated_at)
            SELECT ?, ?, ?, c.id, ?, NULL, ?, ?, c.email, ?, ?, ?, ?, ?, ?, ?, ? FROM contacts c WHERE c.id = ?`,
      args: [
        id,
        workspaceId,
        c.id,
        c.stepIds[0]!,
        mailboxId,
        cmbId,
        status,
        status === 'sending' ? 1 : 0,
        START,
        `<${id}@x.test>`,
        lease,
        START + HOUR, // long leases and holds: only liveness can free them this early
        START,
        START,
        contactId,
      ],
    });

  beforeEach(async () => {
    clock = new VirtualClock(START);
    deps = await createTestDeps({ clock, rng: seededRng(16) });
    ({ workspaceId } = await createTestWorkspace(deps));
    c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [{ subject: 'one', bodyHtml: '<p>1</p>', delaySeconds: 0 }],
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
    contacts = await seedContacts(deps, {
      workspaceId,
      campaignId: c.id,
      count: 4,
      enrolledAt: START,
      firstDelaySeconds: 0,
    });
    // all four held by workers: sticky sender, not due for an hour
    await deps.db.client.execute({
      sql: 'UPDATE contacts SET mailbox_id = ?, next_send_at = ?',
      args: [mailboxId, START + HOUR],
    });
    await insertSend('snd_dead_flight', contacts[0]!, 'sending', 'wrk_dead:1');
    await insertSend('snd_dead_queued', contacts[1]!, 'scheduled', 'wrk_dead:2');
    await insertSend('snd_live_flight', contacts[2]!, 'sending', 'wrk_live:1');
    await insertSend('snd_live_queued', contacts[3]!, 'scheduled', 'wrk_live:2');
    await deps.db.client.execute({
      sql: `INSERT INTO jobs (id, workspace_id, kind, payload, state, priority, run_at, lease_id, lease_until, attempts,
              max_attempts, created_at)
            VALUES ('job_dead', ?, 'import', '{}', 'running', 0, ?, 'wrk_dead:3', ?, 1, 5, ?)`,
      args: [workspaceId, START, START + HOUR, START],
    });
    await heartbeat(deps.db, 'wrk_dead', START);
    await heartbeat(deps.db, 'wrk_live', START);
  });
  afterEach(() => deps.cleanup());

  it('releases a dead worker at once and leaves a live one alone', async () => {
    clock.set(START + DEAD_AFTER_MS - 1_000);
    await heartbeat(deps.db, 'wrk_live', clock.now());
    expect(await releaseDeadWorkers(deps.db, clock.now())).toEqual([]); // not silent long enough yet

    clock.set(START + DEAD_AFTER_MS + 1_000);
    await heartbeat(deps.db, 'wrk_live', clock.now());
    expect(await releaseDeadWorkers(deps.db, clock.now())).toEqual(['wrk_dead']);
    expect(await rows(deps, 'SELECT id FROM workers')).toEqual([{ id: 'wrk_live' }]);

    // the dead worker's job can be claimed right away; the live one's claims are untouched
    const claimed = await claimJobs(deps.db, {
      kinds: ['import'],
      limit: 5,
      leaseMs: 60_000,
      now: clock.now(),
    });
    expect(claimed.jobs.map((j) => j.id)).toEqual(['job_dead']);

    const sink = sinkPool(clock);
    const report = await runDispatchTick(deps, { transports: sink });
    expect(report.interrupted).toBe(1);
    const sends = await rows<{ id: string; status: string; error: string | null }>(
      deps,
      'SELECT id, status, error FROM sends ORDER BY id',
    );
    expect(sends).toEqual([
      { id: 'snd_dead_flight', status: 'failed', error: 'interrupted' },
      { id: 'snd_dead_queued', status: 'sent', error: null },
      { id: 'snd_live_flight', status: 'sending', error: null },
      { id: 'snd_live_queued', status: 'scheduled', error: null },
    ]);
    expect(sink.messages.map((m) => m.mail.headers['X-Outreach-Send-Id'])).toEqual(['snd_dead_queued']);
  });

  it('releases at once a worker of this machine whose process is gone, not one of another host', async () => {
    // a process that ran and exited (reaped): its pid names nothing now
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const here = pidScope();
    expect(here.scoped).toBe(true);
    await deps.db.client.execute({
      sql: 'UPDATE workers SET pid = ? WHERE id = ?',
      args: [gone, 'wrk_dead'],
    });
    await deps.db.client.execute({
      sql: 'INSERT INTO workers (id, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)',
      args: ['wrk_other_host', gone, `another ${here.host}`, START, START],
    });
    clock.set(START + 1_000); // every heartbeat is fresh
    expect(await releaseDeadWorkers(deps.db, clock.now())).toEqual(['wrk_dead']);
    expect(await rows(deps, 'SELECT id FROM workers ORDER BY id')).toEqual([
      { id: 'wrk_live' },
      { id: 'wrk_other_host' },
    ]);

    const sink = sinkPool(clock);
    expect((await runDispatchTick(deps, { transports: sink })).interrupted).toBe(1);
    const sends = await rows<{ id: string; status: string; error: string | null }>(
      deps,
      'SELECT id, status, error FROM sends ORDER BY id',
    );
    expect(sends).toEqual([
      { id: 'snd_dead_flight', status: 'failed', error: 'interrupted' },
      { id: 'snd_dead_queued', status: 'sent', error: null },
      { id: 'snd_live_flight', status: 'sending', error: null },
      { id: 'snd_live_queued', status: 'scheduled', error: null },
    ]);
  });

  it('takes a process for gone only when no process has its pid', () => {
    expect(processGone(process.pid)).toBe(false);
    expect(processGone(process.ppid)).toBe(false);
    expect(processGone(spawnSync(process.execPath, ['-e', '']).pid!)).toBe(true);
    // 0 and -1 would name process groups, not a process
    expect(processGone(0)).toBe(false);
    expect(processGone(-1)).toBe(false);
  });
});
