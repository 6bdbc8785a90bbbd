import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import { OutreachError } from '../errors';
import type { components } from '../generated/openapi';
import { APIResource } from '../resource';
import { type Uploadable, uploadForm } from './contacts';

export type ImportCreated = components['schemas']['ImportCreated'];
export type MappingPreview = components['schemas']['MappingPreview'];
export type ImportQueued = components['schemas']['ImportQueued'];
export type ImportStatus = components['schemas']['ImportStatusBody'];
export type ImportState = components['schemas']['ImportStatus'];
/** csv column → `email`, `firstName`, `lastName`, `company`, `title`, a custom field name, or null (dropped). */
export type ColumnMapping = Record<string, string | null>;

export interface ImportWaitOptions {
  /** between polls (default 1 000 ms). */
  intervalMs?: number;
  /** give up after this long (default 30 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** called with every status read. */
  onProgress?: (status: ImportStatus) => void;
}

/** Large CSV imports: upload, preview the mapping, confirm, then the worker imports in the background. */
export class Imports extends APIResource {
  /** `POST /imports` (multipart `campaignId` + `file`) → `{importId, status: "pending_mapping", campaignId}`. */
  create(
    campaignId: string,
    file: Uploadable,
    options?: RequestOptions & { fileName?: string },
  ): APIPromise<ImportCreated> {
    const body = uploadForm(file, options?.fileName, { campaignId }) as never;
    return this._post('/imports', { body }, options);
  }

  /** `GET /imports/{importId}/mapping-preview` → columns, suggested mapping, first 5 rows. */
  mappingPreview(importId: string, options?: RequestOptions): APIPromise<MappingPreview> {
    return this._get('/imports/{importId}/mapping-preview', { path: { importId } }, options);
  }

  /** `POST /imports/{importId}/mapping-confirm` → `{importId, status: "queued"}` (once per import). */
  confirmMapping(
    importId: string,
    mapping: ColumnMapping,
    options?: RequestOptions,
  ): APIPromise<ImportQueued> {
    return this._post(
      '/imports/{importId}/mapping-confirm',
      { path: { importId }, body: { mapping } },
      options,
    );
  }

  /** `GET /imports/{importId}/status` → status, counts, first 100 row errors, progress 0..1. */
  status(importId: string, options?: RequestOptions): APIPromise<ImportStatus> {
    return this._get('/imports/{importId}/status', { path: { importId } }, options);
  }

  /**
   * Polls the status until the import is `completed` or `failed` and returns that status (a
   * failed import is returned, not thrown: its `error` says why). Throws `OutreachError` after
   * `timeoutMs`, or if the import is still `pending_mapping` (nothing will happen until
   * `confirmMapping`).
   */
  async waitUntilDone(
    importId: string,
    wait: ImportWaitOptions = {},
    options?: RequestOptions,
  ): Promise<ImportStatus> {
    const interval = wait.intervalMs ?? 1000;
    const deadline = Date.now() + (wait.timeoutMs ?? 30 * 60 * 1000);
    for (;;) {
      const status = await this.status(importId, { ...options, signal: wait.signal ?? options?.signal });
      wait.onProgress?.(status);
      if (status.status === 'completed' || status.status === 'failed') return status;
      if (status.status === 'pending_mapping') {
        throw new OutreachError(
          `Import ${importId} waits for its mapping: call imports.confirmMapping() first`,
        );
      }
      if (Date.now() + interval > deadline) {
        throw new OutreachError(
          `Import ${importId} is still ${status.status} (${Math.round(status.progress * 100)}%) after the timeout`,
        );
      }
      await sleep(interval, wait.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
