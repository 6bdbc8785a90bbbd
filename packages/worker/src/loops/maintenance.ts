import { purgeExpired, repairAllCounters } from '@outreach/shared';
import { registerLoop } from '../index';
import { claimCronRun } from '../queue/jobs';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Hourly housekeeping, run by exactly one worker per hour slot. */
registerLoop({
  name: 'maintenance',
  intervalMs: () => 60_000,
  async tick(deps, ctx) {
    const now = deps.clock.now();
    const slot = now - (now % HOUR_MS);
    if (!(await claimCronRun(deps.db, 'maintenance', slot, ctx.workerId))) return;
    await purgeExpired(deps.db, now);
    // the stats counters are kept by triggers; once a day they are checked against a full count
    if (await claimCronRun(deps.db, 'counters', now - (now % DAY_MS), ctx.workerId)) {
      const drifted = await repairAllCounters(deps.db);
      if (drifted.length) deps.log.warn('stats counters corrected', { drifted });
    }
  },
});
