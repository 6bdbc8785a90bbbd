/**
 * Webhook benchmark (prints figures; not a timed assertion in CI).
 *
 * 3 subscriptions on local HTTP receivers, one worker with default settings (the `webhooks`
 * loop as `outreach work` runs it):
 * 1. Burst: N events (default 10,000) written at once → 3·N deliveries; deliveries/s from the
 *    first event row to the last delivery received.
 * 2. Stream: events written at a steady rate (default 200/s for 10 s); time from an event row's
 *    `created_at` to its delivery arriving at the receiver (median, p95, max).
 *
 * Run: `npx tsx bench/webhooks.ts` (BENCH_EVENTS, BENCH_RATE, BENCH_SECONDS to change).
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createWebhookSubscription, type Deps, eventInsert } from '@outreach/shared';
import { createTestDeps, createTestWorkspace } from '@outreach/testkit/deps';
import { startWorker } from '@outreach/worker';
import '@outreach/worker/loops/webhooks';

const N = Number(process.env.BENCH_EVENTS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function writeEvents(deps: Deps, workspaceId: number, count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    const now = Date.now();
    const batch = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      batch.push(
        eventInsert(
          deps.db.orm,
          {
            workspaceId,
            type: 'send.sent',
            campaignId: 'cmp_bench',
            contactId: `cnt_${from + j}`,
            data: {
              n: from + j,
              sendId: `snd_${from + j}`,
              stepId: 'stp_1',
              email: `c${from + j}@example.com`,
            },
          },
          now,
        ),
      );
    }
    await deps.db.orm.batch(batch as [ReturnType<typeof eventInsert>]);
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

// The receivers run in a child process (see bench/lib/webhook-receivers.ts).
const child = fork(fileURLToPath(new URL('./lib/webhook-receivers.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
});
const ask = <T>(m: string, key: string) =>
  new Promise<T>((resolve) => {
    const on = (msg: Record<string, unknown>) => {
      if (key in msg) {
        child.off('message', on);
        resolve(msg[key] as T);
      }
    };
    child.on('message', on);
    if (m) child.send(m);
  });
const urls = await ask<string[]>('', 'urls');

async function until(count: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await ask<number>('count', 'count')) < count) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deps = await createTestDeps();
const { workspaceId } = await createTestWorkspace(deps);
for (const endpoint of urls) {
  await createWebhookSubscription(deps, workspaceId, { endpoint, eventTypes: ['send.sent'] }, Date.now());
}
const worker = startWorker(deps, { only: ['webhooks'] });

// 1. Burst.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await writeEvents(deps, workspaceId, N, 0);
const written = performance.now() - t0;
await until(3 * N, 600_000);
const burstMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const burstRows = await ask<[number, number, string][]>('dump', 'rows');
const distinct = new Set(burstRows.map(([n, , id]) => `${n}/${id}`)).size;
console.log(
  `burst: ${N} events → ${3 * N} deliveries in ${(burstMs / 1000).toFixed(2)} s ` +
    `(${Math.round((3 * N) / (burstMs / 1000))} deliveries/s; events written in ${written.toFixed(0)} ms; ` +
    `${burstRows.length - distinct} duplicates)`,
);
console.log(
  `burst: worker process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms ` +
    `= ${((cpu.user + cpu.system) / 1000 / (3 * N)).toFixed(3)} ms per delivery (events written included; ` +
    `load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`,
);

// 2. Stream at a steady rate.
child.send('reset');
const total = RATE * SECONDS;
const createdAt = new Map<number, number>();
const tick = 50;
const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
let sent = 0;
const started = Date.now();
while (sent < total) {
  const now = Date.now();
  const batch = Math.min(perTick, total - sent);
  for (let j = 0; j < batch; j++) createdAt.set(N + sent + j, now);
  await writeEvents(deps, workspaceId, batch, N + sent);
  sent += batch;
  const next = started + (sent / perTick) * tick;
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
}
await until(3 * total, 600_000);
const rows = await ask<[number, number][]>('dump', 'rows');
const lat = rows.filter(([n]) => createdAt.has(n)).map(([n, at]) => at - createdAt.get(n)!);
console.log(
  `stream: ${total} events at ${RATE}/s → ${3 * total} deliveries; event row → delivery ` +
    `median ${quantile(lat, 0.5)} ms, p95 ${quantile(lat, 0.95)} ms, max ${Math.max(...lat)} ms`,
);
const mem = process.memoryUsage();
console.log(`rss ${Math.round(mem.rss / 1e6)} MB`);

await worker.stop();
child.kill();
deps.cleanup();
process.exit(0);
