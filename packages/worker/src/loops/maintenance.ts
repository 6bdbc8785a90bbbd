import { purgeExpired } from '@outreach/shared';
import type { Loop } from '../loop';
import { claimCronRun } from '../queue/jobs';

const HOUR_MS = 60 * 60 * 1000;

/** Hourly housekeeping, run by exactly one worker per hour slot. */
export const maintenanceLoop: Loop = {
  name: 'maintenance',
  intervalMs: () => 60_000,
  async tick(deps, ctx) {
    const now = deps.clock.now();
    const slot = now - (now % HOUR_MS);
    if (!(await claimCronRun(deps.db, 'maintenance', slot, ctx.workerId))) return;
    await purgeExpired(deps.db, now);
  },
};
