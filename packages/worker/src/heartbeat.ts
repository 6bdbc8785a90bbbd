/**
 * Loop heartbeats: when each loop of a running worker last started and finished a tick, so the
 * API's `/ready` (in the same process) can tell a live worker from a stalled one. Kept per
 * `Deps` (one worker per deps, as the dispatch queues are), in wall-clock time: the host runs
 * loops on real timers even when a test injects a virtual clock.
 */
import type { Deps } from '@outreach/shared';

export interface LoopBeat {
  name: string;
  intervalMs: number;
  /** a tick running longer than this counts as stalled. */
  maxTickMs: number;
  /** when the worker started the loop. */
  since: number;
  /** the tick in progress, if any. */
  runningSince: number | null;
  lastEndedAt: number | null;
  lastError: string | null;
}

export interface LoopHealth {
  name: string;
  ok: boolean;
  lastTickAt: string | null;
  detail?: string;
}

const beats = new WeakMap<Deps, Map<string, LoopBeat>>();

/** Long ticks are legitimate (an import streams for minutes): five minutes before "stalled". */
export const DEFAULT_MAX_TICK_MS = 5 * 60_000;

export function beatsFor(deps: Deps): Map<string, LoopBeat> {
  let m = beats.get(deps);
  if (!m) {
    m = new Map();
    beats.set(deps, m);
  }
  return m;
}

/** Called by the worker host around every tick. */
export const heartbeat = {
  register(deps: Deps, name: string, intervalMs: number, maxTickMs?: number): LoopBeat {
    const beat: LoopBeat = {
      name,
      intervalMs,
      maxTickMs: maxTickMs ?? Math.max(DEFAULT_MAX_TICK_MS, 3 * intervalMs),
      since: Date.now(),
      runningSince: null,
      lastEndedAt: null,
      lastError: null,
    };
    beatsFor(deps).set(name, beat);
    return beat;
  },
  started(beat: LoopBeat): void {
    beat.runningSince = Date.now();
  },
  ended(beat: LoopBeat, err?: unknown): void {
    beat.runningSince = null;
    beat.lastEndedAt = Date.now();
    beat.lastError = err === undefined ? null : String((err as Error)?.message ?? err).slice(0, 200);
  },
  /** the worker stopped: its loops no longer count (a stopping process is not "stalled"). */
  clear(deps: Deps): void {
    beats.delete(deps);
  },
};

/**
 * A loop is healthy when a tick ended (or the loop started) within three intervals, or the tick
 * in progress has run less than its `maxTickMs`.
 */
export function loopHealth(deps: Deps, now = Date.now()): LoopHealth[] {
  return [...beatsFor(deps).values()].map((b) => {
    const lastTickAt = b.lastEndedAt === null ? null : new Date(b.lastEndedAt).toISOString();
    if (b.runningSince !== null) {
      const ran = now - b.runningSince;
      if (ran > b.maxTickMs) {
        return { name: b.name, ok: false, lastTickAt, detail: `a tick has been running for ${ran} ms` };
      }
      return { name: b.name, ok: true, lastTickAt };
    }
    const quiet = now - (b.lastEndedAt ?? b.since);
    const limit = 3 * Math.max(b.intervalMs, 1000);
    if (quiet > limit) {
      return {
        name: b.name,
        ok: false,
        lastTickAt,
        detail: `no tick for ${quiet} ms (interval ${b.intervalMs} ms)`,
      };
    }
    return { name: b.name, ok: true, lastTickAt };
  });
}
