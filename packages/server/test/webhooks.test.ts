/**
 * The webhook routes: subscriptions (secret generated, sealed at rest, shown on create/get/rotate
 * only), pause/resume, test deliveries and manual retries to a real receiver on 127.0.0.1
 * (verified with `standardwebhooks`), the event log and deliveries pages, the SSRF refusal at
 * create with OUTREACH_WEBHOOK_ALLOW_PRIVATE off, and workspace isolation.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventInsert } from '@outreach/shared';
import { startReceiver, type TestReceiver } from '@outreach/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

const BASE = '/campaigns/webhooks';
let t: TestApp;
let r: TestReceiver;
let answer = 200;

beforeAll(async () => {
  t = await makeTestApp();
  r = await startReceiver(() => ({ status: answer, body: `status ${answer}` }));
});
afterAll(async () => {
  await r.close();
  t.close();
});

async function subscribe(body: Record<string, unknown> = {}) {
  const res = await t.a.req('POST', `${BASE}/subscriptions`, {
    body: { endpoint: `${r.url}/hook`, eventTypes: ['reply.received', 'send.sent'], ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.subscription;
}

describe('subscriptions', () => {
  it('lists the event types', async () => {
    const res = await t.a.req('GET', `${BASE}/event-types`);
    expect(res.status).toBe(200);
    const types = res.body.items.map((i: { type: string }) => i.type);
    for (const type of [
      'reply.received',
      'contact.bounced',
      'contact.unsubscribed',
      'contact.status_changed',
      'contact.completed',
      'contact.mailbox_changed',
      'send.sent',
      'send.failed',
      'campaign.launched',
      'campaign.paused',
      'campaign.resumed',
      'campaign.completed',
      'import.completed',
      'thread.intent_changed',
      'subsequence.enrolled',
      'mailbox.error',
    ]) {
      expect(types).toContain(type);
    }
    expect(res.body.items.every((i: { description: string }) => i.description.length > 0)).toBe(true);
  });

  it('creates with a generated whsec_ secret and exactly the documented fields; the secret is sealed at rest', async () => {
    const sub = await subscribe({ replyIntents: ['interested'], campaignIds: ['cmp_1'], ignoreOoo: true });
    expect(Object.keys(sub).sort()).toEqual(
      [
        'id',
        'endpoint',
        'eventTypes',
        'replyIntents',
        'campaignIds',
        'ignoreOoo',
        'ignoreAutoReply',
        'status',
        'secret',
        'createdAt',
      ].sort(),
    );
    expect(sub).toMatchObject({
      endpoint: `${r.url}/hook`,
      eventTypes: ['reply.received', 'send.sent'],
      replyIntents: ['interested'],
      campaignIds: ['cmp_1'],
      ignoreOoo: true,
      ignoreAutoReply: false,
      status: 'active',
    });
    expect(sub.id).toMatch(/^wh_sub_/);
    expect(sub.createdAt).toMatch(/Z$/);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(sub.secret.slice(6), 'base64')).toHaveLength(24);
    const stored = await t.deps.db.client.execute({
      sql: 'SELECT secret FROM webhook_subscriptions WHERE id = ?',
      args: [sub.id],
    });
    expect(String(stored.rows[0]!.secret)).toMatch(/^v1\./);
    expect(readFileSync(join(t.deps.dir, 'test.db')).includes(sub.secret.slice(6))).toBe(false);

    // A given secret is kept.
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect((await subscribe({ secret: given })).secret).toBe(given);
  });

  it('gets (with secret), lists (without), patches, pauses, resumes, rotates and deletes', async () => {
    const sub = await subscribe();
    const got = await t.a.req('GET', `${BASE}/subscriptions/${sub.id}`);
    expect(got.body.subscription.secret).toBe(sub.secret);
    const list = await t.a.req('GET', `${BASE}/subscriptions`, { query: { limit: 200 } });
    const listed = list.body.items.find((s: { id: string }) => s.id === sub.id);
    expect(listed).toBeDefined();
    expect(listed.secret).toBeUndefined();
    expect(list.body.next_cursor).toBeNull();

    const patched = await t.a.req('PATCH', `${BASE}/subscriptions/${sub.id}`, {
      body: { eventTypes: ['contact.bounced'], ignoreAutoReply: true },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.subscription).toMatchObject({
      eventTypes: ['contact.bounced'],
      ignoreAutoReply: true,
    });
    expect(patched.body.subscription.secret).toBeUndefined();

    const paused = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/pause`);
    expect(paused.body.subscription.status).toBe('paused');
    const resumed = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/resume`);
    expect(resumed.body.subscription.status).toBe('active');

    const rotated = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.subscription.secret).toMatch(/^whsec_/);
    expect(rotated.body.subscription.secret).not.toBe(sub.secret);
    const given = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3';
    const rotatedTo = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/rotate-secret`, {
      body: { secret: given },
    });
    expect(rotatedTo.body.subscription.secret).toBe(given);

    expect((await t.a.req('DELETE', `${BASE}/subscriptions/${sub.id}`)).status).toBe(204);
    expectProblem(await t.a.req('GET', `${BASE}/subscriptions/${sub.id}`), 404, 'not_found');
  });

  it('keeps no secret in idempotency records: create and rotate replay as 409 without it', async () => {
    const body = { endpoint: `${r.url}/hook`, eventTypes: ['send.sent'] };
    const headers = { 'idempotency-key': 'wh-create-1' };
    const first = await t.a.req('POST', `${BASE}/subscriptions`, { body, headers });
    expect(first.status).toBe(201);
    const { id, secret } = first.body.subscription;
    const rotateHeaders = { 'idempotency-key': 'wh-rotate-1' };
    const rotated = await t.a.req('POST', `${BASE}/subscriptions/${id}/rotate-secret`, {
      headers: rotateHeaders,
    });
    expect(rotated.status).toBe(200);
    const stored = await t.deps.db.client.execute('SELECT response_body FROM idempotency_keys');
    const all = stored.rows.map((row) => String(row.response_body)).join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(rotated.body.subscription.secret);
    for (const [path, h] of [
      [`${BASE}/subscriptions`, headers],
      [`${BASE}/subscriptions/${id}/rotate-secret`, rotateHeaders],
    ] as const) {
      const replay = await t.a.req('POST', path, {
        body: path.endsWith('subscriptions') ? body : undefined,
        headers: h,
      });
      expectProblem(replay, 409, 'idempotency_secret_not_replayable');
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.firstResponse.body.subscription.id).toBe(id);
      expect(replay.body.firstResponse.body.subscription).not.toHaveProperty('secret');
    }
    expect(
      (await t.a.req('GET', `${BASE}/subscriptions`)).body.items.filter((s: { id: string }) => s.id === id),
    ).toHaveLength(1);
  });

  it('validates: 422 naming the field', async () => {
    const bad = (body: Record<string, unknown>) => t.a.req('POST', `${BASE}/subscriptions`, { body });
    expectProblem(
      await bad({ endpoint: 'ftp://x.example.com', eventTypes: ['send.sent'] }),
      422,
      'validation_failed',
      'endpoint',
    );
    expectProblem(
      await bad({ endpoint: `${r.url}/x`, eventTypes: ['nope'] }),
      422,
      'validation_failed',
      'eventTypes.0',
    );
    expectProblem(
      await bad({ endpoint: `${r.url}/x`, eventTypes: [] }),
      422,
      'validation_failed',
      'eventTypes',
    );
    expectProblem(
      await bad({ endpoint: `${r.url}/x`, eventTypes: ['send.sent'], replyIntents: ['maybe'] }),
      422,
      'validation_failed',
      'replyIntents.0',
    );
    expectProblem(
      await bad({ endpoint: `${r.url}/x`, eventTypes: ['send.sent'], secret: 'short' }),
      422,
      'validation_failed',
      'secret',
    );
  });
});

describe('test deliveries, retries, event log', () => {
  it('test delivers webhook.test now, signed, and answers the delivery; retry re-sends with the same webhook-id', async () => {
    const sub = await subscribe();
    const before = r.requests.length;
    const res = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/test`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      eventType: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      responseBodySnippet: 'status 200',
      nextAttemptAt: null,
    });
    expect(res.body.id).toMatch(/^whd_/);
    expect(res.body.durationMs).toBeGreaterThanOrEqual(0);
    const req = r.requests[before]!;
    expect(req.headers['webhook-id']).toBe(res.body.id);
    const body = new Webhook(sub.secret).verify(req.body, req.headers as Record<string, string>) as any;
    expect(body).toMatchObject({ type: 'webhook.test', data: { subscriptionId: sub.id } });

    answer = 500;
    const failed = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/test`);
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 500 });
    answer = 200;
    const retried = await t.a.req(
      'POST',
      `${BASE}/subscriptions/${sub.id}/deliveries/${failed.body.id}/retry`,
    );
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({
      id: failed.body.id,
      status: 'succeeded',
      attempts: 2,
      responseStatus: 200,
    });
    expect(r.requests.at(-1)!.headers['webhook-id']).toBe(failed.body.id);

    const deliveries = await t.a.req('GET', `${BASE}/subscriptions/${sub.id}/deliveries`, {
      query: { limit: 1 },
    });
    expect(deliveries.body.items.map((d: { id: string }) => d.id)).toEqual([failed.body.id]); // newest first
    expect(deliveries.body.next_cursor).toBeTruthy();
    const next = await t.a.req('GET', `${BASE}/subscriptions/${sub.id}/deliveries`, {
      query: { limit: 1, cursor: deliveries.body.next_cursor },
    });
    expect(next.body.items.map((d: { id: string }) => d.id)).toEqual([res.body.id]);
    expect(next.body.items[0]).toMatchObject({
      eventId: expect.stringMatching(/^evt_/),
      eventType: 'webhook.test',
    });
  });

  it('lists the event log newest first, by type, with a cursor', async () => {
    const orm = t.deps.db.orm;
    const now = Date.now();
    await orm.batch([
      eventInsert(
        orm,
        { workspaceId: t.a.workspaceId, type: 'send.sent', campaignId: 'cmp_9', data: { n: 1 } },
        now,
      ),
      eventInsert(
        orm,
        { workspaceId: t.a.workspaceId, type: 'send.sent', campaignId: 'cmp_9', data: { n: 2 } },
        now + 1,
      ),
      eventInsert(orm, { workspaceId: t.b.workspaceId, type: 'send.sent', data: { n: 'b' } }, now + 2),
    ]);
    const page1 = await t.a.req('GET', `${BASE}/events`, { query: { type: 'send.sent', limit: 1 } });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.items[0]).toMatchObject({ type: 'send.sent', campaignId: 'cmp_9', data: { n: 2 } });
    const page2 = await t.a.req('GET', `${BASE}/events`, {
      query: { type: 'send.sent', limit: 1, cursor: page1.body.next_cursor },
    });
    expect(page2.body.items[0].data.n).toBe(1);
    expect(page2.body.next_cursor).toBeNull();
    const all = await t.a.req('GET', `${BASE}/events`, { query: { limit: 200 } });
    const ids = all.body.items.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(all.body.items.some((e: { data: { n?: unknown } }) => e.data.n === 'b')).toBe(false);
  });
});

describe('SSRF: OUTREACH_WEBHOOK_ALLOW_PRIVATE=false', () => {
  it('refuses private, loopback, link-local, metadata, ULA and names resolving to them (422 endpoint_not_allowed)', async () => {
    t.deps.config.webhookAllowPrivate = false;
    try {
      // A name from /etc/hosts that is not `localhost` (checked to resolve to 127.0.0.1 here).
      // Besides `localhost`: another /etc/hosts name, where this machine has one (here `vm`).
      const local =
        (await lookup('vm').catch(() => null))?.address === '127.0.0.1' ? ['http://vm:9000/hook'] : [];
      for (const endpoint of [
        'http://127.0.0.1/hook',
        'http://localhost:8080/hook',
        'http://10.0.0.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/hook',
        'http://[fd00::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://100.100.100.200/hook',
        'https://192.168.1.10/hook',
        ...local,
      ]) {
        const res = await t.a.req('POST', `${BASE}/subscriptions`, {
          body: { endpoint, eventTypes: ['send.sent'] },
        });
        expectProblem(res, 422, 'endpoint_not_allowed', 'endpoint');
      }
      const sub = (await t.a.req('GET', `${BASE}/subscriptions`, { query: { limit: 1 } })).body.items[0];
      expectProblem(
        await t.a.req('PATCH', `${BASE}/subscriptions/${sub.id}`, {
          body: { endpoint: 'http://10.1.2.3/x' },
        }),
        422,
        'endpoint_not_allowed',
        'endpoint',
      );
    } finally {
      t.deps.config.webhookAllowPrivate = true;
    }
  });
});

describe('isolation', () => {
  it("another workspace's subscriptions, deliveries and events are 404 / invisible; another workspaceId is 403", async () => {
    const sub = await subscribe();
    const test = await t.a.req('POST', `${BASE}/subscriptions/${sub.id}/test`);
    const s = `${BASE}/subscriptions/${sub.id}`;
    for (const [method, path, body] of [
      ['GET', s, undefined],
      ['PATCH', s, { ignoreOoo: true }],
      ['DELETE', s, undefined],
      ['POST', `${s}/pause`, undefined],
      ['POST', `${s}/resume`, undefined],
      ['POST', `${s}/rotate-secret`, undefined],
      ['POST', `${s}/test`, undefined],
      ['GET', `${s}/deliveries`, undefined],
      ['POST', `${s}/deliveries/${test.body.id}/retry`, undefined],
    ] as const) {
      expectProblem(await t.b.req(method, path, { body }), 404, 'not_found');
    }
    // B's own subscription cannot reach A's delivery either.
    const bSub = (
      await t.b.req('POST', `${BASE}/subscriptions`, {
        body: { endpoint: `${r.url}/b`, eventTypes: ['send.sent'] },
      })
    ).body.subscription;
    expectProblem(
      await t.b.req('POST', `${BASE}/subscriptions/${bSub.id}/deliveries/${test.body.id}/retry`),
      404,
      'not_found',
    );
    const bList = await t.b.req('GET', `${BASE}/subscriptions`);
    expect(bList.body.items.map((x: { id: string }) => x.id)).toEqual([bSub.id]);
    const bEvents = await t.b.req('GET', `${BASE}/events`, { query: { limit: 200 } });
    expect(
      bEvents.body.items.some((e: { data: { subscriptionId?: string } }) => e.data.subscriptionId === sub.id),
    ).toBe(false);
    for (const [method, path] of [
      ['GET', `${BASE}/subscriptions`],
      ['GET', `${BASE}/events`],
      ['POST', `${BASE}/subscriptions`],
      ['GET', s],
    ] as const) {
      expectProblem(
        await t.a.req(method, path, {
          query: { workspaceId: t.b.workspaceId },
          body: method === 'POST' ? { endpoint: `${r.url}/x`, eventTypes: ['send.sent'] } : undefined,
        }),
        403,
        'forbidden',
      );
    }
    expectProblem(await t.a.req('GET', `${BASE}/subscriptions`, { key: null }), 401, 'unauthorized');
  });
});
