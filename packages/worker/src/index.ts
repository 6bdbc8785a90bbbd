import type { Deps } from '@outreach/shared';
import { Cron } from 'croner';
import type { Loop, LoopContext, LoopEntry } from './loop';
import { LOOPS } from './loops/index';

export type { Loop, LoopContext, LoopEntry };

import { heartbeat } from './heartbeat';
import { observeTick } from './metrics';

export interface RunningWorker {
  workerId: string;
  /** Graceful: waits for in-flight ticks to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `loops` (default: every loop, `loops/index.ts`), or those named in `only`, until stop().
 */
export function startWorker(
  deps: Deps,
  opts: { workerId?: string; only?: string[]; loops?: readonly LoopEntry[] } = {},
): RunningWorker {
  const workerId = opts.workerId ?? `wrk_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let stopping = false;
  const inflight = new Set<Promise<void>>();
  const loops = (opts.loops ?? LOOPS).map((l) => (typeof l === 'function' ? l() : l));
  const selected = loops.filter((l) => !opts.only || opts.only.includes(l.name));
  const jobs = selected.map((loop) => {
    const beat = heartbeat.register(deps, loop.name, loop.intervalMs(deps), loop.maxTickMs);
    // never two ticks of a loop at once: the interval skips a run while one is going, a wake
    // meanwhile runs the next tick as soon as this one ends
    let running = false;
    let woken = false;
    const wake = () => {
      if (running) woken = true;
      else void run();
    };
    const ctx: LoopContext = { workerId, stopping: () => stopping, wake };
    const run = async (): Promise<void> => {
      if (stopping || running) return;
      running = true;
      woken = false;
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
      running = false;
      if (woken && !stopping) void run();
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
    // croner: `interval` spaces the runs (a run while one is going does nothing: see `running`)
    const cron = new Cron('* * * * * *', { interval: Math.round(interval / 1000) }, run);
    void run();
    return { stop: () => cron.stop() };
  });
  deps.log.info('worker started', { workerId, loops: selected.map((l) => l.name) });
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
