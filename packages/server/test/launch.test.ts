import { schema, upsertContacts, VirtualClock } from '@outreach/shared';
import { launchesLoop } from '@outreach/worker/loops/launches';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, type Peers, readyCampaign, startPeers } from './peers';
import { expectProblem, makeTestApp, type TestApp } from './support';

const T0 = Date.parse('2026-03-09T10:00:00Z');
const clock = new VirtualClock(T0);
let t: TestApp;
let peers: Peers;

beforeAll(async () => {
  [t, peers] = await Promise.all([makeTestApp({ clock }), startPeers()]);
  for (const who of [t.a, t.b])
    expect((await who.req('POST', '/mailboxes', { body: peers.mailboxBody() })).status).toBe(201);
  expect(
    (
      await t.a.req('POST', '/mailboxes', {
        body: peers.mailboxBody({ address: 'bad@cooloutreach.com', smtpPassword: 'wrong-Pass-123' }),
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => {
  t.close();
  await peers.close();
});

async function contactRows(campaignId: string) {
  const res = await t.deps.db.client.execute({
    sql: 'SELECT id, email, status, enrolled_at, next_send_at, mailbox_id, current_step FROM contacts WHERE campaign_id = ? ORDER BY id',
    args: [campaignId],
  });
  return res.rows.map((r) => ({
    id: String(r.id),
    email: String(r.email),
    status: String(r.status),
    enrolledAt: r.enrolled_at == null ? null : Number(r.enrolled_at),
    nextSendAt: r.next_send_at == null ? null : Number(r.next_send_at),
    mailboxId: r.mailbox_id,
    currentStep: Number(r.current_step),
  }));
}

async function events(campaignId: string, type: string) {
  const res = await t.deps.db.client.execute({
    sql: 'SELECT id, contact_id, data FROM events WHERE campaign_id = ? AND type = ? ORDER BY id',
    args: [campaignId, type],
  });
  return res.rows.map((r) => ({
    id: String(r.id),
    contactId: r.contact_id as string | null,
    data: JSON.parse(String(r.data)),
  }));
}

const runWorker = () => launchesLoop.tick(t.deps, { workerId: 'test', stopping: () => false });

describe('launch', () => {
  it('blocking preflight failures → 409 preflight_failed carrying the checks; nothing changes', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: 'bad@cooloutreach.com', schedule: false });
    for (const query of [{}, { async: 'true' }]) {
      const res = await t.a.req('POST', `/campaigns/${id}/launch`, { query });
      expectProblem(res, 409, 'preflight_failed');
      expect(res.body.blockingFailures).toEqual(['mailbox_auth', 'schedule_set']);
      expect(res.body.checks.find((c: { name: string }) => c.name === 'mailbox_auth')).toMatchObject({
        passed: false,
      });
      expect(res.body.checks.find((c: { name: string }) => c.name === 'mailbox_auth').detail).toContain(
        'bad@cooloutreach.com: SMTP 535',
      );
      expect(res.body.summary).toContain('schedule_set');
    }
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('draft');
    expect((await contactRows(id)).every((c) => c.status === 'pending')).toBe(true);
    const jobs = await t.deps.db.client.execute({
      sql: 'SELECT count(*) AS n FROM jobs WHERE ref_id = ?',
      args: [id],
    });
    expect(Number(jobs.rows[0]!.n)).toBe(0);
  });

  it('sync: enrols every pending contact with its first next_send_at, sets the campaign active', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 4, delaySeconds: 3600 });
    // A suppressed contact is never enrolled.
    await t.deps.db.client.execute({
      sql: "UPDATE contacts SET status = 'suppressed' WHERE campaign_id = ? AND email = 'lead3@acme3.com'",
      args: [id],
    });
    const res = await t.a.req('POST', `/campaigns/${id}/launch`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, status: 'launched', campaignId: id, enrolled: 3 });
    const campaign = (await t.a.req('GET', `/campaigns/${id}`)).body;
    expect(campaign).toMatchObject({ status: 'active', launchedAt: '2026-03-09T10:00:00.000Z' });
    // Ids within one import are random: order the rows by address (lead0…lead3).
    const rows = (await contactRows(id)).sort((a, b) => (a.email < b.email ? -1 : 1));
    expect(rows.map((r) => r.status)).toEqual(['active', 'active', 'active', 'suppressed']);
    for (const r of rows.slice(0, 3)) {
      expect(r).toMatchObject({ enrolledAt: T0, nextSendAt: T0 + 3600_000, mailboxId: null, currentStep: 0 });
    }
    expect(rows[3]!.enrolledAt).toBeNull();
    const activeIds = rows
      .slice(0, 3)
      .map((r) => r.id)
      .sort();
    const changed = await events(id, 'contact.status_changed');
    expect(changed.map((e) => e.contactId).sort()).toEqual(activeIds);
    for (const e of changed) {
      expect(e.id).toMatch(/^evt_[0-9a-z]{26}$/);
      expect(e.data).toMatchObject({
        campaignId: id,
        status: 'active',
        previousStatus: 'pending',
        reason: 'launch',
      });
      expect(e.data.email).toMatch(/^lead\d@/);
    }
    const launched = await events(id, 'campaign.launched');
    expect(launched).toHaveLength(1);
    expect(launched[0]!.data).toMatchObject({
      campaignId: id,
      action: 'launch',
      from: 'draft',
      to: 'active',
      limit: null,
    });
    // Ids sort in creation order: the campaign event, then the contacts' (made in one statement).
    const all = [...launched, ...changed].map((e) => e.id);
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(4);
    // The contacts' change feed reads these events.
    const feed = await t.a.req('GET', `/campaigns/${id}/contacts/changes`, {
      query: { updatedSince: new Date(T0 - 1).toISOString(), limit: 200 },
    });
    expect(feed.status).toBe(200);
    const enrolled = feed.body.items.filter((i: { status: string }) => i.status === 'active');
    expect(
      enrolled
        .map((i: { contactId: string; previousStatus: string }) => [i.contactId, i.previousStatus])
        .sort(),
    ).toEqual(activeIds.map((cid) => [cid, 'pending']));
  });

  it('limit: a gradual rollout; a larger limit enrols more, the same limit or nothing left is a no-op', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 10 });
    const launch = async (limit?: number) => {
      const res = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit } });
      expect(res.status).toBe(200);
      return res.body.enrolled as number;
    };
    expect(await launch(3)).toBe(3);
    const ids = (await contactRows(id)).map((r) => r.id);
    expect((await contactRows(id)).filter((r) => r.status === 'active').map((r) => r.id)).toEqual(
      ids.slice(0, 3),
    );
    clock.advance(60_000);
    expect(await launch(3)).toBe(0);
    expect(await launch(2)).toBe(0);
    expect(await launch(5)).toBe(2);
    const after5 = await contactRows(id);
    expect(after5.filter((r) => r.status === 'active').map((r) => r.id)).toEqual(ids.slice(0, 5));
    expect(after5[3]!.enrolledAt).toBe(T0 + 60_000);
    expect(after5[0]!.enrolledAt).toBe(T0);
    expect(await launch()).toBe(5);
    expect(await launch()).toBe(0);
    expect(await launch(50)).toBe(0);
    expect((await contactRows(id)).every((r) => r.status === 'active')).toBe(true);
    // Launched once: launchedAt is the first launch's time.
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.launchedAt).toBe(new Date(T0).toISOString());
    expect(await events(id, 'contact.status_changed')).toHaveLength(10);
  });

  it('concurrent launches never exceed the limit', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 30 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 10 } })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of results) if (r.status !== 200) expectProblem(r, 409, 'invalid_transition');
    expect(ok.reduce((n, r) => n + r.body.enrolled, 0)).toBe(10);
    expect((await contactRows(id)).filter((r) => r.status === 'active')).toHaveLength(10);
    expect(await events(id, 'contact.status_changed')).toHaveLength(10);
  });

  it('async: 202 with a job the worker runs through the queue', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 6 });
    const res = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { async: 'true', limit: 4 } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      ok: true,
      status: 'queued',
      campaignId: id,
      createdAt: new Date(clock.now()).toISOString(),
    });
    expect(res.body.jobId).toMatch(/^job_[0-9a-z]{26}$/);
    const path = `/campaigns/${id}/launch-jobs/${res.body.jobId}`;
    const queued = await t.a.req('GET', path);
    expect(queued.body).toMatchObject({
      jobId: res.body.jobId,
      campaignId: id,
      status: 'queued',
      enrolled: 0,
      limit: 4,
      finishedAt: null,
    });
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('draft');
    clock.advance(1000);
    await runWorker();
    const done = await t.a.req('GET', path);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      enrolled: 4,
      finishedAt: new Date(clock.now()).toISOString(),
    });
    expect(done.body.error).toBeUndefined();
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('active');
    expect((await contactRows(id)).filter((r) => r.status === 'active')).toHaveLength(4);
  });

  it('async: a campaign paused before the job runs fails the job with the reason, enrols nobody', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 2 });
    await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 1 } });
    const res = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { async: 'true' } });
    expect(res.status).toBe(202);
    await t.deps.db.orm.update(schema.campaigns).set({ status: 'paused' }).where(eq(schema.campaigns.id, id));
    await runWorker();
    const job = (await t.a.req('GET', `/campaigns/${id}/launch-jobs/${res.body.jobId}`)).body;
    expect(job).toMatchObject({ status: 'failed', enrolled: 0 });
    expect(job.error).toMatch(/paused/);
    expect((await contactRows(id)).map((r) => r.status)).toEqual(['active', 'pending']);
  });

  it('a paused campaign → 409 invalid_transition naming the allowed actions', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    await t.deps.db.orm.update(schema.campaigns).set({ status: 'paused' }).where(eq(schema.campaigns.id, id));
    const res = await t.a.req('POST', `/campaigns/${id}/launch`);
    expectProblem(res, 409, 'invalid_transition');
    expect(res.body.allowedActions).toEqual(['resume']);
    await t.deps.db.orm
      .update(schema.campaigns)
      .set({ status: 'completed' })
      .where(eq(schema.campaigns.id, id));
    const done = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { async: 'true' } });
    expectProblem(done, 409, 'invalid_transition');
    expect(done.body.allowedActions).toEqual([]);
  });

  it('replays an Idempotency-Key instead of launching twice', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 5 });
    const headers = { 'idempotency-key': `launch-${id}` };
    const first = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 2 }, headers });
    const again = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 2 }, headers });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('validates limit and async; 401, 403, 404 across workspaces', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 0 } }),
      422,
      'validation_failed',
      'limit',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 'ten' } }),
      422,
      'validation_failed',
      'limit',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/launch`, { query: { async: 'maybe' } }),
      422,
      'validation_failed',
      'async',
    );
    expectProblem(await t.a.req('POST', `/campaigns/${id}/launch`, { key: null }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/launch`, { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(await t.b.req('POST', `/campaigns/${id}/launch`), 404, 'not_found');
    const queued = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { async: 'true' } });
    expectProblem(
      await t.b.req('GET', `/campaigns/${id}/launch-jobs/${queued.body.jobId}`),
      404,
      'not_found',
    );
    const other = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    expectProblem(
      await t.a.req('GET', `/campaigns/${other}/launch-jobs/${queued.body.jobId}`),
      404,
      'not_found',
    );
    expectProblem(await t.a.req('GET', `/campaigns/${id}/launch-jobs/job_missing`), 404, 'not_found');
    expect((await contactRows(id)).every((r) => r.status === 'pending')).toBe(true);
  });

  it('enrols 20,000 contacts in one set-based batch', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS, contacts: 1 });
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      email: `bulk${i}@x${i % 97}.com`,
      firstName: 'B',
      lastName: null,
      custom: { company: 'C' },
    }));
    for (let i = 0; i < rows.length; i += 5000) {
      await upsertContacts(
        t.deps.db,
        { workspaceId: t.a.workspaceId, campaignId: id },
        rows.slice(i, i + 5000),
        clock.now(),
      );
    }
    const started = performance.now();
    const res = await t.a.req('POST', `/campaigns/${id}/launch`, { query: { limit: 15_000 } });
    const ms = performance.now() - started;
    expect(res.body.enrolled).toBe(15_000);
    const counts = await t.deps.db.client.execute({
      sql: 'SELECT status, count(*) AS n FROM contacts WHERE campaign_id = ? GROUP BY status ORDER BY status',
      args: [id],
    });
    expect(counts.rows.map((r) => [r.status, Number(r.n)])).toEqual([
      ['active', 15_000],
      ['pending', 5_001],
    ]);
    expect(await events(id, 'contact.status_changed')).toHaveLength(15_000);
    expect(ms).toBeLessThan(5000);
  });
});
