import type { Deps } from '@outreach/shared';

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
  /** runs this loop's next tick now, not at its interval (after the running one, if any). */
  wake?: () => void;
}

/** A loop, or a function making a fresh one per worker (a loop with state of its own). */
export type LoopEntry = Loop | (() => Loop);
