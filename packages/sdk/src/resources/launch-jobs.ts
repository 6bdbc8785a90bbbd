import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import { OutreachError } from '../errors';
import type { components } from '../generated/openapi';
import { APIResource } from '../resource';

export type LaunchJob = components['schemas']['LaunchJob'];

export interface WaitOptions extends RequestOptions {
  /** between polls (default 500 ms). */
  pollIntervalMs?: number;
  /** give up after (default 10 minutes); rejects with an `OutreachError`. */
  waitTimeoutMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });

/** Async launches (`campaigns.launch(id, {async: true})`): poll them or wait for the end. */
export class LaunchJobs extends APIResource {
  /** `GET /campaigns/{id}/launch-jobs/{jobId}`. */
  get(campaignId: string, jobId: string, options?: RequestOptions): APIPromise<LaunchJob> {
    return this._get('/campaigns/{id}/launch-jobs/{jobId}', { path: { id: campaignId, jobId } }, options);
  }

  /**
   * Polls until the job is `succeeded` or `failed` and resolves with it (a failed job resolves
   * too: read `status` and `error`).
   */
  async waitUntilDone(campaignId: string, jobId: string, options: WaitOptions = {}): Promise<LaunchJob> {
    const { pollIntervalMs = 500, waitTimeoutMs = 600_000, ...request } = options;
    const deadline = Date.now() + waitTimeoutMs;
    for (;;) {
      const job = await this.get(campaignId, jobId, request);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      if (Date.now() + pollIntervalMs > deadline) {
        throw new OutreachError(`launch job ${jobId} still ${job.status} after ${waitTimeoutMs} ms`);
      }
      await sleep(pollIntervalMs, request.signal);
    }
  }
}
