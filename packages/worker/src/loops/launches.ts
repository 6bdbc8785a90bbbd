/**
 * The launch loop: claims `launch` jobs (queued by `POST /campaigns/{id}/launch?async=true`
 * after its preflight passed) and enrols the campaign's contacts in one batch.
 *
 * Enrolment is idempotent (the limit caps the contacts ever enrolled, and only pending contacts
 * are taken), so a job run again after a lost lease ends in the same state. A campaign that can
 * no longer be launched (paused, completed meanwhile) fails the job at once with the reason.
 */
import { AppError, enrolAndActivate, LAUNCH_JOB_KIND } from '@outreach/shared';
import { extendLease } from '../queue/jobs';
import { type JobHandler, jobLoop, NonRetryableError } from '../queue/run-jobs';

const LEASE_MS = 60_000;

export const launchHandler: JobHandler = {
  kind: LAUNCH_JOB_KIND,
  leaseMs: LEASE_MS,
  async run(deps, job, { leaseId }) {
    const campaignId = String(job.payload.campaignId ?? job.refId);
    const rawLimit = job.payload.limit;
    const limit = typeof rawLimit === 'number' ? rawLimit : null;
    // Fence: a worker whose lease ran out does nothing (another one has the job).
    if (!(await extendLease(deps.db, job, leaseId, deps.clock.now() + LEASE_MS))) {
      throw new NonRetryableError('lease lost before enrolment');
    }
    try {
      const outcome = await enrolAndActivate(
        deps.db,
        job.workspaceId,
        campaignId,
        { limit },
        deps.clock.now(),
      );
      deps.log.info('campaign launched', {
        jobId: job.id,
        campaignId,
        enrolled: outcome.enrolled,
        launched: outcome.launched,
      });
      return { campaignId, enrolled: outcome.enrolled, launched: outcome.launched, limit };
    } catch (err) {
      if (err instanceof AppError && err.code !== 'conflict') throw new NonRetryableError(err.message);
      throw err;
    }
  },
};

export const launchesLoop = jobLoop('launches', [launchHandler]);
