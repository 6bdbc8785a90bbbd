/**
 * The import loop: claims `import` jobs (enqueued by `mapping-confirm`) and streams the stored
 * upload into contacts. The lease is extended while it runs, and every write after a lost lease
 * stops (another worker has the job).
 */
import { failImport, IMPORT_JOB, LeaseLostError, processImport, purgeStaleUploads } from '@outreach/shared';
import type { Loop } from '../loop';
import { claimCronRun, extendLease } from '../queue/jobs';
import { type JobHandler, jobLoop, NonRetryableError } from '../queue/run-jobs';

const LEASE_MS = 60_000;

export const importHandler: JobHandler = {
  kind: IMPORT_JOB,
  leaseMs: LEASE_MS,
  async run(deps, job, { leaseId }) {
    const importId = String(job.payload.importId ?? job.refId);
    const result = await processImport(deps.db, importId, {
      now: () => deps.clock.now(),
      heartbeatMs: 2000,
      heartbeat: () => extendLease(deps.db, job, leaseId, deps.clock.now() + LEASE_MS),
    });
    if (result.status === 'failed') throw new NonRetryableError(result.error ?? 'import failed');
    return {
      importId,
      status: result.status,
      totalRows: result.totalRows,
      imported: result.imported,
      invalid: result.invalid,
    };
  },
  async onFailed(deps, job, error) {
    const importId = String(job.payload.importId ?? job.refId);
    await failImport(deps.db, importId, null, error, deps.clock.now());
  },
};

export { LeaseLostError };

export const importsLoop = jobLoop('imports', [importHandler]);

const HOUR_MS = 60 * 60 * 1000;

/** Hourly, on one worker: expire never-confirmed uploads and drop orphaned blobs. */
export const importsHousekeeping: Loop = {
  name: 'imports-housekeeping',
  intervalMs: () => 60_000,
  async tick(deps, ctx) {
    const now = deps.clock.now();
    const slot = now - (now % HOUR_MS);
    if (!(await claimCronRun(deps.db, 'imports-housekeeping', slot, ctx.workerId))) return;
    const res = await purgeStaleUploads(deps.db, now);
    if (res.expired + res.orphans > 0) deps.log.info('imports housekeeping', res);
  },
};
