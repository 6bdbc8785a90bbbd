/**
 * The heartbeat loop: registers this worker, beats every few seconds, and releases at once what
 * dead workers held (queue/liveness.ts). A graceful stop unregisters.
 */
import type { Loop } from '../loop';
import { DEAD_AFTER_MS, HEARTBEAT_MS, heartbeat, releaseDeadWorkers, unregister } from '../queue/liveness';

/** `opts` shorten the times for tests. */
export function createLivenessLoop(opts: { heartbeatMs?: number; deadAfterMs?: number } = {}): Loop {
  let workerId: string | null = null;
  return {
    name: 'liveness',
    intervalMs: () => opts.heartbeatMs ?? HEARTBEAT_MS,
    async tick(deps, ctx) {
      workerId = ctx.workerId;
      const now = deps.clock.now();
      await heartbeat(deps.db, ctx.workerId, now);
      const released = await releaseDeadWorkers(deps.db, now, opts.deadAfterMs ?? DEAD_AFTER_MS);
      if (released.length > 0) deps.log.warn('released the claims of dead workers', { workers: released });
    },
    async drain(deps) {
      if (workerId) await unregister(deps.db, workerId);
    },
  };
}
