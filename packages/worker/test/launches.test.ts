import {
  createCampaign,
  type Deps,
  jobInsert,
  LAUNCH_JOB_KIND,
  newId,
  schema,
  upsertContacts,
  VirtualClock,
} from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorker } from '../src/index';
import '../src/loops/index';
import { launchHandler } from '../src/loops/launches';
import { claimJobs } from '../src/queue/jobs';
import { NonRetryableError } from '../src/queue/run-jobs';

const T0 = Date.parse('2026-03-09T15:00:00Z');
let deps: TestDeps;
let workspaceId: number;

beforeEach(async () => {
  deps = await createTestDeps({ config: { dispatchIntervalMs: 50 } });
  workspaceId = (await createTestWorkspace(deps)).workspaceId;
});
afterEach(() => deps.cleanup());

async function draftWithContacts(d: Deps, n: number, delaySeconds = 0): Promise<string> {
  const now = d.clock.now();
  const c = await createCampaign(d.db, workspaceId, { name: 'Launch me' }, now);
  await d.db.orm.insert(schema.steps).values({
    id: newId('step', now),
    campaignId: c.id,
    subsequenceId: null,
    order: 1,
    subject: 'Hi',
    bodyHtml: '<p>Hi</p>',
    bodyText: null,
    delaySeconds,
    variants: [],
    createdAt: now,
    updatedAt: now,
  });
  await upsertContacts(
    d.db,
    { workspaceId, campaignId: c.id },
    Array.from({ length: n }, (_, i) => ({
      email: `p${i}@example.com`,
      firstName: `P${i}`,
      lastName: null,
      custom: {},
    })),
    now,
  );
  return c.id;
}

async function enqueue(d: Deps, campaignId: string, limit: number | null): Promise<string> {
  const job = jobInsert(
    d.db.orm,
    { workspaceId, kind: LAUNCH_JOB_KIND, refId: campaignId, payload: { campaignId, limit } },
    d.clock.now(),
  );
  await job.query;
  return job.id;
}

async function jobRow(d: Deps, id: string) {
  return (await d.db.orm.select().from(schema.jobs).where(eq(schema.jobs.id, id)))[0]!;
}

async function statuses(d: Deps, campaignId: string): Promise<Record<string, number>> {
  const r = await d.db.client.execute({
    sql: 'SELECT status, count(*) AS n FROM contacts WHERE campaign_id = ? GROUP BY status',
    args: [campaignId],
  });
  return Object.fromEntries(r.rows.map((x) => [String(x.status), Number(x.n)]));
}

describe('launch jobs', () => {
  it('a running worker picks up a launch job and enrols through the queue', async () => {
    const campaignId = await draftWithContacts(deps, 25, 600);
    const jobId = await enqueue(deps, campaignId, 20);
    const worker = startWorker(deps, { only: ['launches'] });
    try {
      const deadline = Date.now() + 5000;
      while ((await jobRow(deps, jobId)).state !== 'succeeded' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
    } finally {
      await worker.stop();
    }
    const job = await jobRow(deps, jobId);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(1);
    expect(typeof job.result === 'string' ? JSON.parse(job.result) : job.result).toMatchObject({
      campaignId,
      enrolled: 20,
      launched: true,
      limit: 20,
    });
    expect(await statuses(deps, campaignId)).toEqual({ active: 20, pending: 5 });
    const campaign = (
      await deps.db.orm.select().from(schema.campaigns).where(eq(schema.campaigns.id, campaignId))
    )[0]!;
    expect(campaign.status).toBe('active');
    const due = await deps.db.client.execute({
      sql: "SELECT DISTINCT next_send_at - enrolled_at AS d FROM contacts WHERE campaign_id = ? AND status = 'active'",
      args: [campaignId],
    });
    expect(due.rows.map((r) => Number(r.d))).toEqual([600_000]);
  });

  it('a worker whose lease ran out is fenced: it enrols nobody; the new holder does the work once', async () => {
    const clock = new VirtualClock(T0);
    const d = await createTestDeps({ clock });
    try {
      workspaceId = (await createTestWorkspace(d)).workspaceId;
      const campaignId = await draftWithContacts(d, 10);
      const jobId = await enqueue(d, campaignId, null);
      const first = await claimJobs(d.db, {
        kinds: [LAUNCH_JOB_KIND],
        limit: 1,
        leaseMs: 1000,
        now: clock.now(),
      });
      expect(first.jobs.map((j) => j.id)).toEqual([jobId]);
      clock.advance(5000);
      const second = await claimJobs(d.db, {
        kinds: [LAUNCH_JOB_KIND],
        limit: 1,
        leaseMs: 60_000,
        now: clock.now(),
      });
      expect(second.jobs.map((j) => j.id)).toEqual([jobId]);
      await expect(launchHandler.run(d, first.jobs[0]!, { leaseId: first.leaseId })).rejects.toBeInstanceOf(
        NonRetryableError,
      );
      expect(await statuses(d, campaignId)).toEqual({ pending: 10 });
      const result = await launchHandler.run(d, second.jobs[0]!, { leaseId: second.leaseId });
      expect(result).toMatchObject({ enrolled: 10, launched: true });
      // Running it again (a retry after a crash before completion) changes nothing.
      const again = await launchHandler.run(d, second.jobs[0]!, { leaseId: second.leaseId });
      expect(again).toMatchObject({ enrolled: 0, launched: false });
      expect(await statuses(d, campaignId)).toEqual({ active: 10 });
      const launchedEvents = await d.db.client.execute({
        sql: "SELECT count(*) AS n FROM events WHERE campaign_id = ? AND type = 'campaign.launched'",
        args: [campaignId],
      });
      expect(Number(launchedEvents.rows[0]!.n)).toBe(1);
    } finally {
      d.cleanup();
    }
  });

  it('a campaign that can no longer launch fails the job for good, with the reason', async () => {
    const campaignId = await draftWithContacts(deps, 3);
    await deps.db.orm
      .update(schema.campaigns)
      .set({ status: 'completed' })
      .where(eq(schema.campaigns.id, campaignId));
    const jobId = await enqueue(deps, campaignId, null);
    const worker = startWorker(deps, { only: ['launches'] });
    try {
      const deadline = Date.now() + 5000;
      while ((await jobRow(deps, jobId)).state !== 'failed' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
    } finally {
      await worker.stop();
    }
    const job = await jobRow(deps, jobId);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatch(/completed/);
    expect(await statuses(deps, campaignId)).toEqual({ pending: 3 });
  });
});
