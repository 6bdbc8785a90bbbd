/**
 * Webhook delivery against real HTTP receivers on 127.0.0.1: fan-out and filters, Standard
 * Webhooks signatures (verified with the `standardwebhooks` package), retries on a virtual
 * clock, 410 and 5-day disabling, Retry-After, pause/resume, rotation, order, redirects and the
 * SSRF check at delivery time. Real libSQL file per test file.
 */
import {
  pauseWebhookSubscription,
  resumeWebhookSubscription,
  rotateWebhookSecret,
  VirtualClock,
  WEBHOOK_DISABLE_AFTER_MS,
} from '@outreach/shared';
import { startReceiver, type TestReceiver } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookRunner } from '../../src/webhooks/runner';
import { ALL_TYPES, deliveriesOf, logEvent, pump, subscribe, subscriptionRow, verify } from './support';

const clock = new VirtualClock(Date.now());
let deps: TestDeps;
let runner: WebhookRunner;
const receivers: TestReceiver[] = [];

async function receiver(handler?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(handler);
  receivers.push(r);
  return r;
}

/** Each test gets its own workspace, so other tests' subscriptions never see its events. */
async function workspace() {
  return (await createTestWorkspace(deps)).workspaceId;
}

beforeAll(async () => {
  deps = await createTestDeps({ clock, rng: () => 0.5 });
  runner = new WebhookRunner({ timeoutMs: 400 });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  deps.config.webhookAllowPrivate = true;
});
afterAll(async () => {
  await runner.stop();
  deps.cleanup();
});

describe('fan-out', () => {
  it('delivers every event type, signed, once per matching subscription and none to others', async () => {
    const ws = await workspace();
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const subA = await subscribe(deps, ws, `${a.url}/a`);
    const subB = await subscribe(deps, ws, `${b.url}/b`);
    await subscribe(deps, ws, `${c.url}/c`, { eventTypes: ['send.sent'] });
    for (const [i, type] of ALL_TYPES.entries()) {
      await logEvent(deps, ws, type, { n: i, contactId: 'cnt_1', email: 'jane@acme.com' });
    }
    await pump(deps, runner);
    expect(a.requests).toHaveLength(ALL_TYPES.length);
    expect(b.requests).toHaveLength(ALL_TYPES.length);
    expect(c.requests).toHaveLength(1);
    for (const [i, req] of a.requests.entries()) {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['webhook-id']).toMatch(/^whd_/);
      const body = verify(req, subA.secret);
      expect(body).toMatchObject({
        type: ALL_TYPES[i],
        data: { n: i, campaignId: 'cmp_1', email: 'jane@acme.com' },
      });
      expect(body.timestamp).toMatch(/Z$/);
      expect(() => verify(req, subB.secret)).toThrow();
    }
    expect(JSON.parse(c.requests[0]!.body).type).toBe('send.sent');
    expect(new Set(a.requests.map((r) => r.headers['webhook-id'])).size).toBe(ALL_TYPES.length);
    // Another workspace's event reaches none of them.
    await logEvent(deps, await workspace(), 'send.sent');
    await pump(deps, runner);
    expect(a.requests).toHaveLength(ALL_TYPES.length);
  });

  it('applies each filter: event types, campaigns, reply intents, ignoreOoo, ignoreAutoReply', async () => {
    const ws = await workspace();
    const r = await receiver();
    await subscribe(deps, ws, `${r.url}/types`, { eventTypes: ['contact.bounced'] });
    await subscribe(deps, ws, `${r.url}/campaigns`, { campaignIds: ['cmp_keep'] });
    await subscribe(deps, ws, `${r.url}/intents`, {
      eventTypes: ['reply.received', 'send.sent'],
      replyIntents: ['interested'],
    });
    await subscribe(deps, ws, `${r.url}/ooo`, { eventTypes: ['reply.received'], ignoreOoo: true });
    await subscribe(deps, ws, `${r.url}/auto`, { eventTypes: ['reply.received'], ignoreAutoReply: true });
    const reply = (n: string, extra: Record<string, unknown>) =>
      logEvent(
        deps,
        ws,
        'reply.received',
        { n, replyIntent: 'neutral', isOoo: false, isAutoReply: false, ...extra },
        'cmp_keep',
      );
    await logEvent(deps, ws, 'contact.bounced', { n: 'bounce-other' }, 'cmp_other');
    await logEvent(deps, ws, 'send.sent', { n: 'sent-keep' }, 'cmp_keep');
    await reply('interested', { replyIntent: 'interested' });
    await reply('ooo', { replyIntent: 'out_of_office', isOoo: true });
    await reply('auto', { isAutoReply: true });
    await pump(deps, runner);
    const got = (path: string) =>
      r.requests.filter((q) => q.path === path).map((q) => JSON.parse(q.body).data.n as string);
    expect(got('/types')).toEqual(['bounce-other']);
    expect(got('/campaigns')).toEqual(['sent-keep', 'interested', 'ooo', 'auto']);
    expect(got('/intents')).toEqual(['sent-keep', 'interested']);
    expect(got('/ooo')).toEqual(['interested', 'auto']);
    expect(got('/auto')).toEqual(['interested', 'ooo']);
  });

  it('reads the log in commit order: an event whose id sorts before one already fanned out still goes', async () => {
    const ws = await workspace();
    const r = await receiver();
    await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent', { n: 'later id' }, 'cmp_1', clock.now() + 60_000);
    await pump(deps, runner);
    // Another process made its id a minute earlier but commits only now.
    await logEvent(deps, ws, 'send.sent', { n: 'earlier id' }, 'cmp_1', clock.now() - 60_000);
    await pump(deps, runner);
    expect(r.requests.map((q) => JSON.parse(q.body).data.n)).toEqual(['later id', 'earlier id']);
  });

  it('gives a new subscription only the events logged after it', async () => {
    const ws = await workspace();
    const r = await receiver();
    await logEvent(deps, ws, 'send.sent', { n: 'before' });
    await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent', { n: 'after' });
    await pump(deps, runner);
    expect(r.requests.map((q) => JSON.parse(q.body).data.n)).toEqual(['after']);
  });
});

describe('retries', () => {
  it('500, 500, 200 → succeeded after 3 attempts with the same webhook-id', async () => {
    const ws = await workspace();
    let n = 0;
    const r = await receiver(() => ({ status: ++n <= 2 ? 500 : 200, body: `answer ${n}` }));
    const sub = await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    let [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      responseStatus: 500,
      responseBodySnippet: 'answer 1',
    });
    expect(d!.nextAttemptAt! - clock.now()).toBe(5_000); // rng 0.5: no jitter offset
    await pump(deps, runner);
    expect(r.requests).toHaveLength(1); // not due yet
    clock.advance(5_000);
    await pump(deps, runner);
    [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2 });
    expect(d!.nextAttemptAt! - clock.now()).toBe(300_000);
    clock.advance(300_000);
    await pump(deps, runner);
    [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, responseStatus: 200, nextAttemptAt: null });
    expect(d!.durationMs).toBeGreaterThanOrEqual(0);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([d!.id]));
    expect((await subscriptionRow(deps, sub.id)).failingSince).toBeNull();
  });

  it('a receiver that hangs times out and is retried', async () => {
    const ws = await workspace();
    let n = 0;
    const r = await receiver(() => (++n === 1 ? { status: 200, delayMs: 3_000 } : { status: 204 }));
    const sub = await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    let [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, responseStatus: null });
    expect(d!.error).toMatch(/no answer within 400 ms/);
    clock.advance(5_000);
    await pump(deps, runner);
    [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2, responseStatus: 204 });
  });

  it('fails for good after the last attempt of the schedule', async () => {
    const ws = await workspace();
    const r = await receiver(() => ({ status: 500 }));
    const sub = await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent');
    for (let i = 0; i < 8; i++) {
      await pump(deps, runner);
      const [d] = await deliveriesOf(deps, sub.id);
      if (d!.nextAttemptAt) clock.set(d!.nextAttemptAt);
    }
    const [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 8, nextAttemptAt: null });
    expect(r.requests).toHaveLength(8);
  });

  it('honours Retry-After on 429 (seconds) and 503 (HTTP date)', async () => {
    const ws = await workspace();
    let n = 0;
    const r = await receiver(() => {
      n++;
      if (n === 1) return { status: 429, headers: { 'retry-after': '120' } };
      if (n === 2)
        return { status: 503, headers: { 'retry-after': new Date(clock.now() + 3_600_000).toUTCString() } };
      return { status: 200 };
    });
    const sub = await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    let [d] = await deliveriesOf(deps, sub.id);
    expect(d!.nextAttemptAt! - clock.now()).toBe(120_000);
    clock.advance(120_000);
    await pump(deps, runner);
    [d] = await deliveriesOf(deps, sub.id);
    // HTTP dates have whole seconds.
    expect(Math.abs(d!.nextAttemptAt! - clock.now() - 3_600_000)).toBeLessThan(1_000);
    clock.set(d!.nextAttemptAt!);
    await pump(deps, runner);
    [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('410 Gone disables the subscription at once and logs webhook.disabled', async () => {
    const ws = await workspace();
    const r = await receiver(() => ({ status: 410 }));
    const watcher = await receiver();
    const sub = await subscribe(deps, ws, r.url);
    await subscribe(deps, ws, watcher.url, { eventTypes: ['webhook.disabled'] });
    await logEvent(deps, ws, 'send.sent');
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    expect(await subscriptionRow(deps, sub.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    expect(r.requests).toHaveLength(1);
    await pump(deps, runner);
    expect(watcher.requests).toHaveLength(1);
    expect(JSON.parse(watcher.requests[0]!.body)).toMatchObject({
      type: 'webhook.disabled',
      data: { subscriptionId: sub.id, reason: 'gone' },
    });
    clock.advance(600_000);
    await pump(deps, runner);
    expect(r.requests).toHaveLength(1);
  });

  it('5 days of nothing but failures disable the subscription (virtual clock)', async () => {
    const ws = await workspace();
    const r = await receiver(() => ({ status: 500 }));
    const sub = await subscribe(deps, ws, r.url);
    for (let i = 0; i < 6; i++) await logEvent(deps, ws, 'send.sent', { n: i });
    const start = clock.now();
    for (let i = 0; i < 200 && (await subscriptionRow(deps, sub.id)).status === 'active'; i++) {
      await pump(deps, runner);
      const due = (await deliveriesOf(deps, sub.id)).find((d) => d.status === 'pending');
      if (due?.nextAttemptAt && due.nextAttemptAt > clock.now()) clock.set(due.nextAttemptAt);
    }
    const row = await subscriptionRow(deps, sub.id);
    expect(row).toMatchObject({ status: 'disabled', disabledReason: 'failing_5_days' });
    expect(row.failingSince).toBe(start);
    // Disabled by the first failure at or after 5 days (the schedule's longest gap is 10 h).
    expect(row.updatedAt - start).toBeGreaterThanOrEqual(WEBHOOK_DISABLE_AFTER_MS);
    expect(row.updatedAt - start).toBeLessThan(WEBHOOK_DISABLE_AFTER_MS + 10 * 3_600_000);
    const disabled = await deps.db.client.execute({
      sql: "SELECT data FROM events WHERE type = 'webhook.disabled' AND workspace_id = ?",
      args: [ws],
    });
    expect(JSON.parse(String(disabled.rows[0]!.data))).toMatchObject({
      subscriptionId: sub.id,
      reason: 'failing_5_days',
    });
    // Deliveries were attempted in event order, one subscription serially.
    const order = r.requests.map((q) => JSON.parse(q.body).data.n as number);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('a failing delivery holds the later ones of its subscription (oldest event first)', async () => {
    const ws = await workspace();
    let n = 0;
    const r = await receiver(() => ({ status: ++n === 1 ? 500 : 200 }));
    const sub = await subscribe(deps, ws, r.url);
    for (let i = 0; i < 3; i++) await logEvent(deps, ws, 'send.sent', { n: i });
    await pump(deps, runner);
    expect(r.requests).toHaveLength(1);
    clock.advance(5_000);
    await pump(deps, runner);
    expect(r.requests.map((q) => JSON.parse(q.body).data.n)).toEqual([0, 0, 1, 2]);
    expect((await deliveriesOf(deps, sub.id)).map((d) => d.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });
});

describe('pause, rotation, redirects, SSRF', () => {
  it('holds events while paused and delivers every one, in order, after resume', async () => {
    const ws = await workspace();
    const r = await receiver();
    const sub = await subscribe(deps, ws, r.url);
    await pauseWebhookSubscription(deps, ws, sub.id, clock.now());
    for (let i = 0; i < 25; i++) {
      await logEvent(deps, ws, 'send.sent', { n: i });
      if (i % 5 === 0) await pump(deps, runner);
    }
    await pump(deps, runner);
    expect(r.requests).toHaveLength(0);
    expect((await deliveriesOf(deps, sub.id)).filter((d) => d.status === 'pending')).toHaveLength(25);
    await resumeWebhookSubscription(deps, ws, sub.id, clock.now());
    await pump(deps, runner);
    expect(r.requests.map((q) => JSON.parse(q.body).data.n)).toEqual([...Array(25).keys()]);
  });

  it('signs with old and new secret for 24 h after a rotation, then with the new one only', async () => {
    const ws = await workspace();
    const r = await receiver();
    const sub = await subscribe(deps, ws, r.url);
    const rotated = await rotateWebhookSecret(deps, ws, sub.id, {}, clock.now());
    expect(rotated.secret).not.toBe(sub.secret);
    await logEvent(deps, ws, 'send.sent', { n: 'overlap' });
    await pump(deps, runner);
    const first = r.requests[0]!;
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(first, sub.secret, clock.now()).data.n).toBe('overlap');
    expect(verify(first, rotated.secret, clock.now()).data.n).toBe('overlap');
    clock.advance(24 * 3_600_000 + 1);
    await logEvent(deps, ws, 'send.sent', { n: 'after' });
    await pump(deps, runner);
    const second = r.requests[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(second, rotated.secret, clock.now()).data.n).toBe('after');
    expect(() => verify(second, sub.secret, clock.now())).toThrow();
  });

  it('does not follow redirects: a 302 is a failed attempt and its target gets nothing', async () => {
    const ws = await workspace();
    const target = await receiver();
    const r = await receiver(() => ({ status: 302, headers: { location: `${target.url}/internal` } }));
    const sub = await subscribe(deps, ws, r.url);
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    const [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'pending', responseStatus: 302 });
    expect(d!.error).toMatch(/redirect 302 not followed/);
    expect(target.requests).toHaveLength(0);
  });

  it('checks the address again at delivery: a private endpoint is a failed attempt when private is not allowed', async () => {
    const ws = await workspace();
    const r = await receiver();
    const sub = await subscribe(deps, ws, r.url.replace('127.0.0.1', 'localhost'));
    deps.config.webhookAllowPrivate = false;
    await logEvent(deps, ws, 'send.sent');
    await pump(deps, runner);
    const [d] = await deliveriesOf(deps, sub.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, responseStatus: null });
    expect(d!.error).toMatch(/endpoint not allowed: localhost resolves to .* private or reserved/);
    expect(r.requests).toHaveLength(0);
  });
});
