/**
 * The sending loop: one dispatch tick every `OUTREACH_DISPATCH_INTERVAL_MS` (never overlapping).
 * A tick plans and reserves; the reserved sends go to this worker's per-mailbox queues, which
 * deliver while later ticks run. A graceful stop waits for the queues to empty.
 */
import type { Deps } from '@outreach/shared';
import { drainDeliveries, runDispatchTick } from '../dispatch/execute';
import { type Loop, registerLoop } from '../index';
import { recordDispatchTick } from '../metrics';

export const dispatchLoop: Loop = {
  name: 'dispatch',
  intervalMs: (deps: Deps) => deps.config.dispatchIntervalMs,
  async tick(deps: Deps) {
    const report = await runDispatchTick(deps, { awaitDelivery: false });
    recordDispatchTick(report);
    if (report.reserved || report.interrupted || report.completedCampaigns.length) {
      deps.log.info('dispatch tick', { ...report });
    }
  },
  drain: (deps: Deps) => drainDeliveries(deps),
};

registerLoop(dispatchLoop);
