/**
 * The sending loop: one dispatch tick every `OUTREACH_DISPATCH_INTERVAL_MS` (never overlapping).
 * A tick plans and reserves; the reserved sends go to this worker's per-mailbox queues, which
 * deliver while later ticks run; a queue running low wakes the loop early (a mailbox sending
 * without gaps is refilled before it runs dry). A graceful stop waits for the queues to empty.
 * The loop owns its worker's `Dispatcher` (queues, SMTP connections): one per worker, made on the
 * first tick.
 */
import type { Deps } from '@outreach/shared';
import { Dispatcher } from '../dispatch/tick';
import type { Loop } from '../loop';
import { recordDispatchTick } from '../metrics';

export function createDispatchLoop(): Loop {
  let dispatcher: Dispatcher | null = null;
  return {
    name: 'dispatch',
    intervalMs: (deps: Deps) => deps.config.dispatchIntervalMs,
    async tick(deps: Deps, ctx) {
      dispatcher ??= new Dispatcher(deps, { awaitDelivery: false, workerId: ctx.workerId, wake: ctx.wake });
      const report = await dispatcher.tick();
      recordDispatchTick(report);
      if (report.reserved || report.interrupted || report.completedCampaigns.length) {
        deps.log.info('dispatch tick', { ...report });
      }
    },
    drain: async () => {
      await dispatcher?.close();
    },
  };
}
