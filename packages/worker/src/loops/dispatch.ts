/** The sending loop: one dispatch tick every `OUTREACH_DISPATCH_INTERVAL_MS` (never overlapping). */
import { registerLoop } from '../index';
import { runDispatchTick } from '../dispatch/execute';

export const dispatchLoop = {
  name: 'dispatch',
  intervalMs: (deps: import('@outreach/shared').Deps) => deps.config.dispatchIntervalMs,
  async tick(deps: import('@outreach/shared').Deps) {
    const report = await runDispatchTick(deps);
    if (report.reserved || report.interrupted || report.completedCampaigns.length) {
      deps.log.info('dispatch tick', { ...report });
    }
  },
};

registerLoop(dispatchLoop);
