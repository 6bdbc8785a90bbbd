import { isSendable, schema } from '@outreach/shared';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const SEED_SCHEDULE = {
  timezone: 'America/New_York',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  windows: [
    { start: '09:00', end: '12:00' },
    { start: '14:00', end: '17:00' },
  ],
};
const SEED_STOP_RULES = { stopOnReply: true, stopOnUnsub: true, stopOnBounce: true };

async function campaign(): Promise<string> {
  const res = await t.a.req('POST', '/campaigns', { body: { name: 'Scheduled' } });
  expect(res.status).toBe(201);
  return res.body.id;
}

const paths = (res: { body: { errors?: { path: string }[] } }) => (res.body.errors ?? []).map((e) => e.path);

describe('PUT /campaigns/{id}/schedule', () => {
  it('stores the seed schedule, answers it, and shows it on the campaign', async () => {
    const cmp = await campaign();
    const res = await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: SEED_SCHEDULE });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(SEED_SCHEDULE);
    const got = await t.a.req('GET', `/campaigns/${cmp}`);
    expect(got.body.schedule).toEqual(SEED_SCHEDULE);
    // The stored schedule is one the sending engine reads: Monday 2026-03-09 10:00 New York (EDT) is
    // inside a window, 13:00 is between the windows, Saturday is not a listed day.
    expect(isSendable(got.body.schedule, Date.parse('2026-03-09T14:00:00Z'))).toBe(true);
    expect(isSendable(got.body.schedule, Date.parse('2026-03-09T17:00:00Z'))).toBe(false);
    expect(isSendable(got.body.schedule, Date.parse('2026-03-14T14:00:00Z'))).toBe(false);
    const events = await t.deps.db.orm
      .select()
      .from(schema.events)
      .where(and(eq(schema.events.campaignId, cmp), eq(schema.events.type, 'campaign.updated')));
    expect(events.map((e) => e.data.fields)).toEqual([['schedule']]);
  });

  it('replaces a previous schedule', async () => {
    const cmp = await campaign();
    await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: SEED_SCHEDULE });
    const next = {
      timezone: 'Europe/Berlin',
      weekdays: ['sat'],
      windows: [{ start: '00:00', end: '24:00' }],
    };
    expect((await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: next })).body).toEqual(next);
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.schedule).toEqual(next);
  });

  it('422 naming every bad field; nothing stored', async () => {
    const cmp = await campaign();
    const res = await t.a.req('PUT', `/campaigns/${cmp}/schedule`, {
      body: {
        timezone: 'Mars/Olympus',
        weekdays: ['mon', 'funday'],
        windows: [
          { start: '09:00', end: '12:00' },
          { start: '14:00', end: '13:00' },
          { start: '25:00', end: '26:00' },
        ],
      },
    });
    expectProblem(res, 422, 'validation_failed', 'timezone');
    expect(paths(res)).toEqual(
      expect.arrayContaining(['timezone', 'weekdays.1', 'windows.1.end', 'windows.2.start', 'windows.2.end']),
    );
    const overlap = await t.a.req('PUT', `/campaigns/${cmp}/schedule`, {
      body: {
        ...SEED_SCHEDULE,
        windows: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      },
    });
    expectProblem(overlap, 422, 'validation_failed');
    expect(paths(overlap).some((p) => p.startsWith('windows.'))).toBe(true);
    expectProblem(
      await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: { ...SEED_SCHEDULE, weekdays: [] } }),
      422,
      'validation_failed',
      'weekdays',
    );
    expectProblem(
      await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: { ...SEED_SCHEDULE, timezone: 7 } }),
      422,
      'validation_failed',
      'timezone',
    );
    const { timezone: _tz, ...noZone } = SEED_SCHEDULE;
    expectProblem(
      await t.a.req('PUT', `/campaigns/${cmp}/schedule`, { body: noZone }),
      422,
      'validation_failed',
      'timezone',
    );
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.schedule).toBeNull();
  });
});

describe('PUT /campaigns/{id}/stop-rules', () => {
  it('stores the seed rules with the ext defaults and shows them on the campaign', async () => {
    const cmp = await campaign();
    const res = await t.a.req('PUT', `/campaigns/${cmp}/stop-rules`, { body: SEED_STOP_RULES });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...SEED_STOP_RULES, stopOnAutoReply: false, stopOnCompanyReply: false });
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.stopRules).toEqual(res.body);
  });

  it('replaces the rules: a field left out takes its default', async () => {
    const cmp = await campaign();
    const all = {
      stopOnReply: false,
      stopOnUnsub: false,
      stopOnBounce: false,
      stopOnAutoReply: true,
      stopOnCompanyReply: true,
    };
    expect((await t.a.req('PUT', `/campaigns/${cmp}/stop-rules`, { body: all })).body).toEqual(all);
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.stopRules).toEqual(all);
    const partial = await t.a.req('PUT', `/campaigns/${cmp}/stop-rules`, {
      body: { stopOnReply: false, stopOnCompanyReply: true },
    });
    expect(partial.body).toEqual({
      stopOnReply: false,
      stopOnUnsub: true,
      stopOnBounce: true,
      stopOnAutoReply: false,
      stopOnCompanyReply: true,
    });
    const empty = await t.a.req('PUT', `/campaigns/${cmp}/stop-rules`, { body: {} });
    expect(empty.body).toEqual({
      stopOnReply: true,
      stopOnUnsub: true,
      stopOnBounce: true,
      stopOnAutoReply: false,
      stopOnCompanyReply: false,
    });
  });

  it('422 naming a field that is not a boolean', async () => {
    const cmp = await campaign();
    const res = await t.a.req('PUT', `/campaigns/${cmp}/stop-rules`, {
      body: { stopOnReply: 'yes', stopOnBounce: 1 },
    });
    expectProblem(res, 422, 'validation_failed', 'stopOnReply');
    expect(paths(res)).toContain('stopOnBounce');
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.stopRules.stopOnReply).toBe(true);
  });
});

describe('schedule and stop rules: auth and workspace isolation', () => {
  it("401 without a key, 403 with the other workspace's id, 404 for the other workspace's campaign", async () => {
    const cmp = await campaign();
    for (const [path, body] of [
      [`/campaigns/${cmp}/schedule`, SEED_SCHEDULE],
      [`/campaigns/${cmp}/stop-rules`, SEED_STOP_RULES],
    ] as const) {
      expectProblem(await t.a.req('PUT', path, { body, key: null }), 401, 'unauthorized');
      expectProblem(
        await t.a.req('PUT', path, { body, query: { workspaceId: t.b.workspaceId } }),
        403,
        'forbidden',
      );
      expectProblem(await t.b.req('PUT', path, { body }), 404, 'not_found');
    }
    expectProblem(
      await t.a.req('PUT', '/campaigns/cmp_missing/schedule', { body: SEED_SCHEDULE }),
      404,
      'not_found',
    );
    const got = await t.a.req('GET', `/campaigns/${cmp}`);
    expect(got.body.schedule).toBeNull();
    expect(got.body.stopRules).toEqual({
      ...SEED_STOP_RULES,
      stopOnAutoReply: false,
      stopOnCompanyReply: false,
    });
  });
});
