import type { Deps } from '@outreach/shared';
import { Cron } from 'croner';
import { heartbeat } from './heartbeat';
import { observeTick } from './metrics';

/** A loop: one tick of work; the host runs it on an interval and never overlaps ticks. */
export interface Loop {
  name: string;
  intervalMs: (deps: Deps) => number;
  tick: (deps: Deps, ctx: LoopContext) => Promise<void>;
  /** work a tick started and left running (e.g. queued sends), awaited on a graceful stop. */
  drain?: (deps: Deps) => Promise<void>;
  /** a tick running longer than this makes `/ready` fail (default: 5 min or 3 intervals). */
  maxTickMs?: number;
}

export interface LoopContext {
  workerId: string;
  /** true once stop() was called: long ticks should finish early. */
  stopping: () => boolean;
}

const loops: Loop[] = [];

/** Loops register themselves here (dispatch, imports, launches, …). */
export function registerLoop(loop: Loop): void {
  if (!loops.some((l) => l.name === loop.name)) loops.push(loop);
}

export interface RunningWorker {
  workerId: string;
  /** Graceful: waits for in-flight ticks to finish. */
  stop(): Promise<void>;
}

export function startWorker(deps: Deps, opts: { workerId?: string; only?: string[] } = {}): RunningWorker {
  const workerId = opts.workerId ?? `wrk_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let stopping = false;
  const inflight = new Set<Promise<void>>();
  const ctx: LoopContext = { workerId, stopping: () => stopping };
  const selected = loops.filter((l) => !opts.only || opts.only.includes(l.name));
  const jobs = selected.map((loop) => {
    const beat = heartbeat.register(deps, loop.name, loop.intervalMs(deps), loop.maxTickMs);
    const run = async () => {
      if (stopping) return;
      heartbeat.started(beat);
      const t0 = performance.now();
      const p = loop.tick(deps, ctx).then(
        () => {
          heartbeat.ended(beat);
          observeTick(loop.name, 'ok', (performance.now() - t0) / 1000);
        },
        (err) => {
          heartbeat.ended(beat, err);
          observeTick(loop.name, 'error', (performance.now() - t0) / 1000);
          deps.log.error('loop tick failed', { loop: loop.name, err });
        },
      );
      inflight.add(p);
      await p;
      inflight.delete(p);
    };
    const interval = loop.intervalMs(deps);
    if (interval < 1000) {
      // Sub-second loops (tests, benchmarks): a timeout chain, still never overlapping.
      let timer: NodeJS.Timeout | undefined;
      const again = async () => {
        await run();
        if (!stopping) timer = setTimeout(again, interval);
      };
      timer = setTimeout(again, 0);
      return { stop: () => clearTimeout(timer) };
    }
    // croner: `interval` spaces the runs, `protect` skips a tick while the previous one runs.
    const cron = new Cron('* * * * * *', { interval: Math.round(interval / 1000), protect: true }, run);
    void run();
    return { stop: () => cron.stop() };
  });
  deps.log.info('worker started', { workerId, loops: loops.map((l) => l.name) });
  return {
    workerId,
    async stop() {
      stopping = true;
      for (const j of jobs) j.stop();
      await Promise.allSettled([...inflight]);
      await Promise.allSettled(selected.map((l) => l.drain?.(deps)));
      heartbeat.clear(deps);
      deps.log.info('worker stopped', { workerId });
    },
  };
}
