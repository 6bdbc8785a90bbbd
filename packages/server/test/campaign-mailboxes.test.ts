import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
let campaignId: string;
const settings = { host: '127.0.0.1', port: 2525, secure: false, username: 'u', password: 'p-123456' };

beforeAll(async () => {
  t = await makeTestApp();
  for (const [who, address] of [
    [t.a, 'John@CoolOutreach.com'],
    [t.a, 'mary@cooloutreach.com'],
    [t.b, 'bob@othercorp.com'],
  ] as const) {
    const res = await who.req('POST', '/mailboxes', {
      body: { address, firstName: 'X', smtp: settings, imap: settings },
    });
    expect(res.status).toBe(201);
  }
  campaignId = (await t.a.req('POST', '/campaigns', { body: { name: 'Q1 SaaS Outreach' } })).body.id;
});
afterAll(() => t.close());

describe('campaign mailboxes', () => {
  let cmbId: string;

  it('attaches by address with the seed body and defaults', async () => {
    const res = await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
      body: { mailboxAddress: 'john@cooloutreach.com', dailyLimit: 30, weight: 100 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      campaignId,
      weight: 100,
      state: 'active',
      dailyLimit: 30,
      gapBaseSeconds: 120,
      gapJitterSeconds: 60,
      mailboxAddress: 'john@cooloutreach.com',
    });
    expect(res.body.id).toMatch(/^cmb_[0-9a-z]{26}$/);
    expect(res.body.mailboxId).toMatch(/^mbx_/);
    cmbId = res.body.id;
  });

  it('matches the address in any case and takes explicit gaps', async () => {
    const res = await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
      body: {
        mailboxAddress: ' MARY@cooloutreach.com ',
        dailyLimit: 5000,
        weight: 1,
        gapBaseSeconds: 0,
        gapJitterSeconds: 86400,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      dailyLimit: 5000,
      weight: 1,
      gapBaseSeconds: 0,
      gapJitterSeconds: 86400,
    });
  });

  it('an unknown address (or another workspace mailbox) is 422 naming mailboxAddress', async () => {
    for (const mailboxAddress of ['nobody@cooloutreach.com', 'bob@othercorp.com']) {
      const res = await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
        body: { mailboxAddress, dailyLimit: 30, weight: 100 },
      });
      expectProblem(res, 422, 'validation_failed', 'mailboxAddress');
      expect(res.body.detail).toContain(mailboxAddress);
    }
  });

  it('enforces the ranges, naming each field', async () => {
    const res = await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
      body: {
        mailboxAddress: 'john@cooloutreach.com',
        dailyLimit: 5001,
        weight: 0,
        gapBaseSeconds: -1,
        gapJitterSeconds: 86401,
      },
    });
    expectProblem(res, 422, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'dailyLimit',
      'gapBaseSeconds',
      'gapJitterSeconds',
      'weight',
    ]);
    expectProblem(
      await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
        body: { mailboxAddress: 'john@cooloutreach.com', dailyLimit: 0, weight: 1001 },
      }),
      422,
      'validation_failed',
      'weight',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, { body: { dailyLimit: 1, weight: 1 } }),
      422,
      'validation_failed',
      'mailboxAddress',
    );
  });

  it('attaching the same mailbox twice is 409', async () => {
    const res = await t.a.req('POST', `/campaigns/${campaignId}/mailboxes`, {
      body: { mailboxAddress: 'john@cooloutreach.com', dailyLimit: 30, weight: 100 },
    });
    expectProblem(res, 409, 'conflict');
    expect(res.body.campaignMailboxId).toBe(cmbId);
  });

  it('patches limits, weight, gaps and state', async () => {
    const res = await t.a.req('PATCH', `/campaigns/${campaignId}/mailboxes/${cmbId}`, {
      body: { dailyLimit: 50, weight: 150 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: cmbId,
      dailyLimit: 50,
      weight: 150,
      state: 'active',
      gapBaseSeconds: 120,
    });
    const paused = await t.a.req('PATCH', `/campaigns/${campaignId}/mailboxes/${cmbId}`, {
      body: { state: 'paused', gapJitterSeconds: 0 },
    });
    expect(paused.body).toMatchObject({ state: 'paused', gapJitterSeconds: 0, dailyLimit: 50 });
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${campaignId}/mailboxes/${cmbId}`, { body: { state: 'sleeping' } }),
      422,
      'validation_failed',
      'state',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${campaignId}/mailboxes/${cmbId}`, { body: { dailyLimit: 0 } }),
      422,
      'validation_failed',
      'dailyLimit',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${campaignId}/mailboxes/cmb_missing`, { body: { weight: 2 } }),
      404,
      'not_found',
    );
  });

  it('lists the attached mailboxes', async () => {
    const res = await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`);
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((m: { mailboxAddress: string; state: string }) => [m.mailboxAddress, m.state]),
    ).toEqual([
      ['john@cooloutreach.com', 'paused'],
      ['mary@cooloutreach.com', 'active'],
    ]);
    expect(res.body.next_cursor).toBeNull();
  });

  it('detaches', async () => {
    expect((await t.a.req('DELETE', `/campaigns/${campaignId}/mailboxes/${cmbId}`)).status).toBe(204);
    expectProblem(await t.a.req('DELETE', `/campaigns/${campaignId}/mailboxes/${cmbId}`), 404, 'not_found');
    const res = await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`);
    expect(res.body.items.map((m: { id: string }) => m.id)).not.toContain(cmbId);
  });

  it('401, 403, and 404 for another workspace campaign', async () => {
    const [item] = (await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`)).body.items;
    expectProblem(
      await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`, { key: null }),
      401,
      'unauthorized',
    );
    expectProblem(
      await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`, { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    for (const [method, path, body] of [
      ['GET', `/campaigns/${campaignId}/mailboxes`, undefined],
      [
        'POST',
        `/campaigns/${campaignId}/mailboxes`,
        { mailboxAddress: 'bob@othercorp.com', dailyLimit: 30, weight: 100 },
      ],
      ['PATCH', `/campaigns/${campaignId}/mailboxes/${item.id}`, { weight: 5 }],
      ['DELETE', `/campaigns/${campaignId}/mailboxes/${item.id}`, undefined],
    ] as const) {
      expectProblem(await t.b.req(method, path, { body }), 404, 'not_found');
    }
    expect((await t.a.req('GET', `/campaigns/${campaignId}/mailboxes`)).body.items).toHaveLength(1);
  });
});
