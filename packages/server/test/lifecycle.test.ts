import { AppError, changeCampaignStatus, schema } from '@outreach/shared';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

async function campaign(): Promise<string> {
  const res = await t.a.req('POST', '/campaigns', { body: { name: 'Lifecycle' } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A campaign moved to active the way launch does it (through the same service). */
async function activeCampaign(): Promise<string> {
  const id = await campaign();
  await changeCampaignStatus(t.deps.db, t.a.workspaceId, id, 'launch', Date.now(), {
    launchedAt: Date.now(),
  });
  return id;
}

async function eventTypes(campaignId: string): Promise<string[]> {
  const rows = await t.deps.db.orm
    .select()
    .from(schema.events)
    .where(eq(schema.events.campaignId, campaignId))
    .orderBy(schema.events.id);
  return rows
    .map((e) => e.type)
    .filter((type) => type.startsWith('campaign.') && type !== 'campaign.created');
}

describe('GET /campaigns/lifecycle', () => {
  it('lists the states and transitions (not mistaken for a campaign id)', async () => {
    const res = await t.a.req('GET', '/campaigns/lifecycle');
    expect(res.status).toBe(200);
    expect(res.body.states).toEqual(['draft', 'active', 'paused', 'completed', 'errored']);
    expect(res.body.transitions).toEqual(
      expect.arrayContaining([
        { from: 'draft', action: 'launch', to: 'active' },
        { from: 'active', action: 'pause', to: 'paused' },
        { from: 'paused', action: 'resume', to: 'active' },
        { from: 'active', action: 'complete', to: 'completed' },
        { from: 'active', action: 'error', to: 'errored' },
      ]),
    );
    expectProblem(await t.a.req('GET', '/campaigns/lifecycle', { key: null }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('GET', '/campaigns/lifecycle', { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
  });
});

describe('POST /campaigns/{id}/lifecycle', () => {
  it('pauses and resumes an active campaign, answering the campaign, with an event each', async () => {
    const id = await activeCampaign();
    const paused = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id, status: 'paused', workspaceId: t.a.workspaceId });
    expect(paused.body.launchedAt).toMatch(/Z$/);
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('paused');
    const resumed = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'resume' } });
    expect(resumed.body.status).toBe('active');
    expect(await eventTypes(id)).toEqual(['campaign.launched', 'campaign.paused', 'campaign.resumed']);
    const [pausedEvent] = await t.deps.db.orm
      .select()
      .from(schema.events)
      .where(and(eq(schema.events.campaignId, id), eq(schema.events.type, 'campaign.paused')));
    expect(pausedEvent?.data).toMatchObject({
      campaignId: id,
      action: 'pause',
      from: 'active',
      to: 'paused',
    });
  });

  it('409 invalid_transition naming the allowed actions', async () => {
    const draft = await campaign();
    const res = await t.a.req('POST', `/campaigns/${draft}/lifecycle`, { body: { action: 'pause' } });
    expectProblem(res, 409, 'invalid_transition');
    expect(res.body.allowedActions).toEqual(['launch']);
    expect(res.body.detail).toContain('launch');
    expect(res.body.currentStatus).toBe('draft');

    const id = await activeCampaign();
    const resumeActive = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'resume' } });
    expectProblem(resumeActive, 409, 'invalid_transition');
    expect(resumeActive.body.allowedActions).toEqual(['launch', 'pause']);
    await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' } });
    const pauseTwice = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' } });
    expect(pauseTwice.body.allowedActions).toEqual(['resume']);
    expect(pauseTwice.body.detail).toContain('resume');
    expect(await eventTypes(id)).toEqual(['campaign.launched', 'campaign.paused']);
  });

  it('a completed campaign allows no action', async () => {
    const id = await activeCampaign();
    const done = await changeCampaignStatus(t.deps.db, t.a.workspaceId, id, 'complete', Date.now());
    expect(done.status).toBe('completed');
    const res = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'resume' } });
    expectProblem(res, 409, 'invalid_transition');
    expect(res.body.allowedActions).toEqual([]);
    expect(res.body.detail).toContain('no action');
  });

  it('422 for an action that is not pause or resume', async () => {
    const id = await activeCampaign();
    for (const body of [{ action: 'complete' }, { action: 'launch' }, { action: 'stop' }, {}]) {
      expectProblem(
        await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body }),
        422,
        'validation_failed',
        'action',
      );
    }
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('active');
  });

  it('of concurrent pauses exactly one wins, with one event', async () => {
    const id = await activeCampaign();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await eventTypes(id)).toEqual(['campaign.launched', 'campaign.paused']);
  });

  it('the service refuses a lost race even when callers computed the move from a stale status', async () => {
    const id = await activeCampaign();
    // Both compute "active → paused"; the conditional UPDATE lets only one through.
    const outcomes = await Promise.allSettled([
      changeCampaignStatus(t.deps.db, t.a.workspaceId, id, 'pause', Date.now()),
      changeCampaignStatus(t.deps.db, t.a.workspaceId, id, 'pause', Date.now()),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(AppError);
    expect(rejected.reason.code).toBe('invalid_transition');
  });

  it('replays an idempotent pause instead of answering 409', async () => {
    const id = await activeCampaign();
    const headers = { 'idempotency-key': `pause-${id}` };
    const first = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' }, headers });
    const again = await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body: { action: 'pause' }, headers });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it("401 without a key, 403 with the other workspace's id, 404 for the other workspace's campaign", async () => {
    const id = await activeCampaign();
    const body = { action: 'pause' };
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body, key: null }),
      401,
      'unauthorized',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/lifecycle`, { body, query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(await t.b.req('POST', `/campaigns/${id}/lifecycle`, { body }), 404, 'not_found');
    expect((await t.a.req('GET', `/campaigns/${id}`)).body.status).toBe('active');
  });
});
