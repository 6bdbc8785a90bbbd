import type { Deps } from '@outreach/shared';
import type { Loop } from '../loop';
import { claimJobs, completeJob, failJob, type Job } from './jobs';

export interface JobHandler {
  kind: string;
  /** how long a claim holds; a worker that dies frees its jobs after this. */
  leaseMs: number;
  /** throw to retry (or `NonRetryableError` to fail at once); return a result to store. */
  run(deps: Deps, job: Job, lease: { leaseId: string }): Promise<Record<string, unknown> | null | undefined>;
  /** called once the job is failed for good. */
  onFailed?(deps: Deps, job: Job, error: string): Promise<void>;
}

export class NonRetryableError extends Error {}

/** A loop that claims jobs of the given kinds and runs them one by one. */
export function jobLoop(
  name: string,
  handlers: JobHandler[],
  opts: { intervalMs?: number; batch?: number } = {},
): Loop {
  const byKind = new Map(handlers.map((h) => [h.kind, h]));
  return {
    name,
    intervalMs: (deps) => opts.intervalMs ?? Math.min(deps.config.dispatchIntervalMs, 1000),
    async tick(deps, ctx) {
      for (const h of handlers) {
        while (!ctx.stopping()) {
          const { leaseId, jobs } = await claimJobs(deps.db, {
            kinds: [h.kind],
            limit: opts.batch ?? 1,
            leaseMs: h.leaseMs,
            now: deps.clock.now(),
            owner: ctx.workerId,
          });
          if (jobs.length === 0) break;
          for (const job of jobs) await runOne(deps, byKind.get(job.kind)!, job, leaseId);
        }
      }
    },
  };
}

export async function runOne(deps: Deps, handler: JobHandler, job: Job, leaseId: string): Promise<void> {
  try {
    const result = await handler.run(deps, job, { leaseId });
    await completeJob(deps.db, job, leaseId, deps.clock.now(), result ?? null);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const outcome = await failJob(deps.db, job, leaseId, message, deps.clock.now(), deps.rng, {
      retryable: !(err instanceof NonRetryableError),
    });
    deps.log.warn('job failed', {
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempts,
      outcome,
      error: message,
    });
    if (outcome === 'failed') await handler.onFailed?.(deps, job, message);
  }
}
