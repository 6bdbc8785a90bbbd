/**
 * Operational endpoints in-process: /health, /ready (database, migrations, worker loops) and
 * /metrics (Prometheus text, token, route patterns, per-mailbox SMTP answers, no addresses).
 */
import { type Schedule, SecretBox } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps } from '@outreach/testkit/deps';
import { startWorker } from '@outreach/worker';
import { runDispatchTick } from '@outreach/worker/dispatch/tick';
import '@outreach/worker/loops/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMailbox, seedCampaign, seedContacts, seedMailbox } from '../../worker/test/dispatch/support';
import { createApp } from '../src/app';
import { createOpsApp } from '../src/ops/index';
import { makeTestApp, type TestApp } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const METRICS_TOKEN = 'metrics-token-0123456789';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ config: { metricsToken: METRICS_TOKEN } });
});
afterAll(() => t?.close());

const get = async (
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  path: string,
  headers: Record<string, string> = {},
) => {
  const res = await app.request(path, { headers });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    body: text.startsWith('{') ? JSON.parse(text) : null,
  };
};

describe('/health and /ready', () => {
  it('/health answers without a key', async () => {
    const res = await get(t.app, '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('/ready: database and migrations ok, no loops without a worker in this process', async () => {
    const res = await get(t.app, '/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual([
      { name: 'database', ok: true },
      { name: 'migrations', ok: true },
    ]);
  });

  it('/ready lists the loops of a worker running in this process', async () => {
    const worker = startWorker(t.deps, { only: ['launches', 'maintenance'] });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const res = await get(t.app, '/ready');
      expect(res.status).toBe(200);
      expect(res.body.checks).toContainEqual({ name: 'loop:launches', ok: true });
      expect(res.body.checks).toContainEqual({ name: 'loop:maintenance', ok: true });
    } finally {
      await worker.stop();
    }
    // a stopped worker no longer counts
    expect((await get(t.app, '/ready')).body.checks).toHaveLength(2);
  });

  it('a stalled loop makes /ready 503 naming it', async () => {
    let release!: () => void;
    const hung = new Promise<void>((r) => {
      release = r;
    });
    const worker = startWorker(t.deps, {
      loops: [{ name: 'stall-test', intervalMs: () => 100, maxTickMs: 400, tick: () => hung }],
    });
    try {
      expect((await get(t.app, '/ready')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 700));
      const res = await get(t.app, '/ready');
      expect(res.status).toBe(503);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.code).toBe('not_ready');
      expect(res.body.detail).toMatch(/^loop:stall-test: a tick has been running for \d+ ms$/);
      expect(res.body.checks).toContainEqual(expect.objectContaining({ name: 'loop:stall-test', ok: false }));
      expect(res.body.checks).toContainEqual({ name: 'database', ok: true });
    } finally {
      release();
      await worker.stop();
    }
  });

  it('a database that does not answer makes /ready 503 (and /health still 200)', async () => {
    const deps = await createTestDeps();
    const app = createApp(deps);
    expect((await get(app, '/ready')).status).toBe(200);
    deps.db.close();
    const res = await get(app, '/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks[0]).toMatchObject({ name: 'database', ok: false });
    expect(res.body.checks[1]).toMatchObject({ name: 'migrations', ok: false });
    expect((await get(app, '/health')).status).toBe(200);
    deps.cleanup();
  });

  it('a migration not applied makes /ready 503', async () => {
    const deps = await createTestDeps();
    const app = createApp(deps);
    await deps.db.client.execute(
      'DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)',
    );
    const res = await get(app, '/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks).toContainEqual({
      name: 'migrations',
      ok: false,
      detail: '1 migration(s) not applied: run outreach migrate',
    });
    deps.cleanup();
  });
});

/** `name{a="b",…} value` lines → series. */
function parseProm(text: string) {
  const series: { name: string; labels: Record<string, string>; value: number }[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    series.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { series, types };
}

describe('a worker-only process (outreach work with OUTREACH_WORKER_PORT)', () => {
  it('answers /health, /ready (with its loops) and /metrics, and nothing of the API', async () => {
    const ops = createOpsApp(t.deps);
    const worker = startWorker(t.deps, { only: ['launches'] });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect((await get(ops, '/health')).status).toBe(200);
      const ready = await get(ops, '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toContainEqual({ name: 'loop:launches', ok: true });
      expect((await get(ops, '/metrics')).status).toBe(401);
      const scraped = await get(ops, '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(scraped.text).toContain(
        'outreach_loop_tick_duration_seconds_count{loop="launches",result="ok"}',
      );
      const api = await get(ops, `/campaigns?workspaceId=${t.a.workspaceId}`, {
        authorization: `Bearer ${t.a.apiKey}`,
      });
      expect(api.status).toBe(404);
      expect(api.type).toContain('application/problem+json');
    } finally {
      await worker.stop();
    }
  });
});

describe('/metrics', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer({
      users: { 'ana@acme.test': 'pw-1' },
      behaviour: (rcpt) =>
        rcpt.startsWith('reject') ? { code: 550, message: '5.1.1 No such user' } : 'accept',
    });
  });
  afterAll(async () => smtp?.close());

  it('needs the metrics token when one is set', async () => {
    expect((await get(t.app, '/metrics')).status).toBe(401);
    expect((await get(t.app, '/metrics', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(
      401,
    );
    expect((await get(t.app, '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
  });

  it('reports HTTP by route pattern, SMTP answers by mailbox id, queue depth and import rows; no addresses', async () => {
    const { deps } = t;
    const now = Date.now();
    const c = await seedCampaign(deps, {
      workspaceId: t.a.workspaceId,
      schedule: ALWAYS,
      now,
      steps: [{ subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>', delaySeconds: 0 }],
    });
    const mailboxId = await seedMailbox(deps, {
      workspaceId: t.a.workspaceId,
      address: 'ana@acme.test',
      dailyLimit: 100,
      smtp: { host: smtp.host, port: smtp.port, username: 'ana@acme.test', password: 'pw-1' },
      now,
    });
    await attachMailbox(deps, {
      campaignId: c.id,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now,
    });
    await seedContacts(deps, {
      workspaceId: t.a.workspaceId,
      campaignId: c.id,
      count: 3,
      enrolledAt: now,
      firstDelaySeconds: 0,
      prefix: 'ok',
    });
    await seedContacts(deps, {
      workspaceId: t.a.workspaceId,
      campaignId: c.id,
      count: 1,
      enrolledAt: now,
      firstDelaySeconds: 0,
      prefix: 'reject',
    });
    const report = await runDispatchTick(deps);
    expect(report).toMatchObject({ sent: 3, bounced: 1 });
    // a queued job and some requests of known routes
    await deps.db.client.execute({
      sql: `INSERT INTO jobs (id, workspace_id, kind, ref_id, payload, state, run_at, created_at) VALUES ('job_metrics', ?, 'launch', ?, '{}', 'queued', ?, ?)`,
      args: [t.a.workspaceId, c.id, now + 3_600_000, now],
    });
    expect((await t.a.req('GET', `/campaigns/${c.id}`)).status).toBe(200);
    expect((await t.a.req('GET', '/campaigns/cmp_doesnotexist')).status).toBe(404);
    expect((await t.a.req('GET', '/no/such/route')).status).toBe(404);

    const res = await get(t.app, '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.type).toContain('text/plain');
    const { series, types } = parseProm(res.text);
    const find = (name: string, labels: Record<string, string> = {}) =>
      series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    expect(types.get('outreach_http_requests_total')).toBe('counter');
    expect(types.get('outreach_http_request_duration_seconds')).toBe('histogram');
    expect(
      find('outreach_http_requests_total', { method: 'GET', route: '/campaigns/:id', status: '200' })?.value,
    ).toBe(1);
    expect(
      find('outreach_http_requests_total', { method: 'GET', route: '/campaigns/:id', status: '404' })?.value,
    ).toBe(1);
    expect(
      find('outreach_http_requests_total', { route: 'unmatched', status: '404' })?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(
      find('outreach_http_request_duration_seconds_count', { route: '/campaigns/:id', status: '200' })?.value,
    ).toBe(1);
    // no raw paths (ids) as route labels
    expect(series.filter((s) => s.labels.route?.includes(c.id))).toEqual([]);

    expect(find('outreach_smtp_sends_total', { mailbox_id: mailboxId, outcome: 'accepted' })?.value).toBe(3);
    expect(find('outreach_smtp_sends_total', { mailbox_id: mailboxId, outcome: 'rejected' })?.value).toBe(1);
    expect(find('outreach_jobs', { kind: 'launch', state: 'queued' })?.value).toBe(1);
    expect(find('outreach_sends_pending', { status: 'sending' })?.value).toBe(0);
    expect(find('outreach_contacts_due')).toBeDefined();
    expect(find('outreach_import_rows', { outcome: 'imported' })).toBeDefined();
    for (const name of [
      'outreach_loop_tick_duration_seconds',
      'outreach_dispatch_reserved_total',
      'outreach_dispatch_interrupted_total',
      'outreach_imap_reads_total',
      'outreach_imap_errors_total',
      'outreach_webhook_deliveries_total',
      'outreach_webhook_delivery_duration_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(types.has(name), name).toBe(true);
    }
    // ids, never email addresses
    const values = series.flatMap((s) => Object.values(s.labels));
    expect(values.filter((v) => v.includes('@'))).toEqual([]);
    expect(res.text).not.toContain('acme.test');
    expect(res.text).not.toContain('example.com');
  });

  it('without a token configured, /metrics is open', async () => {
    const deps = await createTestDeps();
    const app = createApp({ ...deps, secrets: SecretBox.fromString(deps.config.secretKey) });
    expect((await get(app, '/metrics')).status).toBe(200);
    deps.cleanup();
  });
});
