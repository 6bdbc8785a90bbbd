/**
 * `/ready` in `outreach start`, where the worker runs in a process of its own (cluster.ts): the
 * worker child reports its loops' health to the primary every second, the primary passes the
 * report on to every API child, and an API child's `/ready` includes the latest report, or fails
 * when none arrived for three report intervals (the worker process is gone or stuck).
 */
import type { Deps } from '@outreach/shared';
import { type LoopHealth, loopHealth } from '@outreach/worker/heartbeat';
import type { Check } from './health';

export const EXPECT_WORKER_ENV = 'OUTREACH_EXPECT_WORKER_BEATS';
const REPORT_MS = 1000;

interface BeatsMessage {
  outreach: 'beats';
  at: number;
  loops: LoopHealth[];
}

const isBeats = (m: unknown): m is BeatsMessage => (m as BeatsMessage)?.outreach === 'beats';

/** In the worker child: report this process's loops to the primary. */
export function reportBeats(deps: Deps): () => void {
  const send = () => process.send?.({ outreach: 'beats', at: Date.now(), loops: loopHealth(deps) });
  send();
  const timer = setInterval(send, REPORT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** In the primary: pass a child's report on to the others (the API children). */
export function relayBeats(
  message: unknown,
  to: { send(m: unknown): unknown; isConnected(): boolean }[],
): void {
  if (!isBeats(message)) return;
  for (const child of to) if (child.isConnected()) child.send(message);
}

let latest: BeatsMessage | null = null;
let listening = false;

/** In an API child: keep the latest report. */
export function receiveBeats(): void {
  if (listening || !process.send) return;
  listening = true;
  process.on('message', (m: unknown) => {
    if (isBeats(m)) latest = m;
  });
}

/** The worker process's loops as checks, when this API process was started beside one. */
export function remoteLoopChecks(now = Date.now()): Check[] {
  if (process.env[EXPECT_WORKER_ENV] !== '1') return [];
  if (!latest) return [{ name: 'worker', ok: false, detail: 'no report from the worker process yet' }];
  const age = now - latest.at;
  if (age > 3 * REPORT_MS) {
    return [{ name: 'worker', ok: false, detail: `no report from the worker process for ${age} ms` }];
  }
  return [
    { name: 'worker', ok: true },
    ...latest.loops.map((l) => ({
      name: `loop:${l.name}`,
      ok: l.ok,
      ...(l.detail ? { detail: l.detail } : {}),
    })),
  ];
}
