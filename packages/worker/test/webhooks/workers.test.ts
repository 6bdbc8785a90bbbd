/**
 * Webhook workers as real processes on one database file: a worker killed with SIGKILL in the
 * middle of a delivery loses nothing (its lease runs out and another worker delivers, at least
 * once); two workers never attempt one delivery, or one subscription, at the same time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startReceiver, type TestReceiver } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveriesOf, logEvent, subscribe } from './support';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const children = new Set<ChildProcess>();
const cleanups: (() => unknown)[] = [];

function startChild(deps: TestDeps, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: deps.config.databaseUrl, SECRET_KEY: deps.config.secretKey, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(async () => {
  await Promise.all([...children].map((c) => stop(c, 'SIGKILL')));
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('webhook workers as processes', () => {
  it('kill -9 in the middle of a delivery: every event is still delivered at least once', async () => {
    const deps = await createTestDeps();
    cleanups.push(() => deps.cleanup());
    const { workspaceId } = await createTestWorkspace(deps);
    let first = true;
    const r: TestReceiver = await startReceiver(() => {
      // The first request hangs: the worker is killed while it waits for the answer.
      if (first) {
        first = false;
        return { status: 200, delayMs: 10_000 };
      }
      return { status: 200 };
    });
    cleanups.push(() => r.close());
    const sub = await subscribe(deps, workspaceId, r.url);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await logEvent(deps, workspaceId, 'send.sent', { n: i }));

    const a = await startChild(deps, { LEASE_MS: '1500' });
    await r.waitFor(1, 20_000);
    await stop(a, 'SIGKILL');
    const b = await startChild(deps, { LEASE_MS: '1500' });
    await until(
      'every event delivered',
      () => new Set(r.requests.map((q) => JSON.parse(q.body).data.n)).size === 40,
    );
    await until('every delivery recorded', async () =>
      (await deliveriesOf(deps, sub.id)).every((d) => d.status === 'succeeded'),
    );
    await stop(b, 'SIGTERM');
    const rows = await deliveriesOf(deps, sub.id);
    expect(rows.map((d) => d.eventId)).toEqual(ids);
    // The interrupted delivery went again with the same webhook-id.
    const firstId = r.requests[0]!.headers['webhook-id'];
    expect(r.requests.filter((q) => q.headers['webhook-id'] === firstId).length).toBeGreaterThanOrEqual(2);
    // In order: the log's order, once the interrupted head is delivered again.
    const order = r.requests.slice(1).map((q) => JSON.parse(q.body).data.n as number);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  }, 60_000);

  it('two workers: no delivery and no subscription is attempted by both at once, each delivered once', async () => {
    const deps = await createTestDeps();
    cleanups.push(() => deps.cleanup());
    const { workspaceId } = await createTestWorkspace(deps);
    const inFlight = new Map<string, number>();
    let overlap = 0;
    const r = await startReceiver(async (req) => {
      const keys = [req.path, String(req.headers['webhook-id'])];
      for (const k of keys) {
        const n = (inFlight.get(k) ?? 0) + 1;
        inFlight.set(k, n);
        if (n > 1) overlap++;
      }
      await new Promise((res) => setTimeout(res, 2));
      for (const k of keys) inFlight.set(k, inFlight.get(k)! - 1);
      return { status: 200 };
    });
    cleanups.push(() => r.close());
    const subs = [];
    for (let s = 0; s < 6; s++) subs.push(await subscribe(deps, workspaceId, `${r.url}/s${s}`));
    const [a, b] = await Promise.all([startChild(deps), startChild(deps)]);
    for (let i = 0; i < 100; i++) await logEvent(deps, workspaceId, 'send.sent', { n: i });
    await until('600 deliveries', () => r.requests.length >= 600, 45_000);
    await until('every delivery recorded', async () => {
      const res = await deps.db.client.execute(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'",
      );
      return Number(res.rows[0]!.n) === 600;
    });
    await Promise.all([stop(a, 'SIGTERM'), stop(b, 'SIGTERM')]);
    expect(overlap).toBe(0);
    expect(r.requests).toHaveLength(600);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(600);
    for (const [s] of subs.entries()) {
      const got = r.requests.filter((q) => q.path === `/s${s}`).map((q) => JSON.parse(q.body).data.n);
      expect(got).toEqual([...Array(100).keys()]);
    }
  }, 60_000);
});
