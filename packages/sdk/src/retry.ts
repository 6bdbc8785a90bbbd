import { APIConnectionError, APITimeoutError, APIUserAbortError } from './errors';

export type Fetch = (input: Request) => Promise<Response>;

export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). */
  maxRetries: number;
  /** Per attempt, until the response headers arrive. */
  timeoutMs: number;
  /** The caller's cancellation; never retried. */
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key` on a POST; one is generated (`sdk_<uuid>`) when absent. */
  idempotencyKey?: string;
  /** The fetch that does the I/O (default `globalThis.fetch`). */
  fetch?: Fetch;
}

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;
/** A `Retry-After` longer than this is not honoured (the default backoff applies instead). */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A fetch that retries: 408, 409 `idempotency_in_progress`, 429, ≥500 and connection errors, after
 * `Retry-After` when the server sends one, else 0.5 s·2ⁿ (capped at 8 s) minus up to 25 % jitter.
 * Each attempt sends a clone of the request, so bodies survive retries; a POST carries one
 * `Idempotency-Key`, the same on every attempt, so the server runs it at most once.
 */
export function retryingFetch(opts: RetryOptions): Fetch {
  const doFetch: Fetch = opts.fetch ?? ((req) => globalThis.fetch(req));
  return async (input) => {
    let request = input;
    if (request.method === 'POST' && !request.headers.has('idempotency-key')) {
      const headers = new Headers(request.headers);
      headers.set('Idempotency-Key', opts.idempotencyKey ?? `sdk_${crypto.randomUUID()}`);
      request = new Request(request, { headers });
    }
    const { signal } = opts;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: signal.reason });
      const retriesLeft = opts.maxRetries - attempt;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, opts.timeoutMs);
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let response: Response;
      try {
        response = await doFetch(new Request(request.clone(), { signal: controller.signal }));
      } catch (err) {
        if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: err });
        if (retriesLeft > 0) {
          await sleep(backoffMs(attempt), signal);
          continue;
        }
        if (timedOut)
          throw new APITimeoutError(`Request timed out after ${opts.timeoutMs} ms`, { cause: err });
        throw new APIConnectionError(`Connection error: ${errorMessage(err)}`, { cause: err });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      if (retriesLeft > 0 && (await shouldRetry(response))) {
        const wait = retryAfterMs(response.headers) ?? backoffMs(attempt);
        await response.body?.cancel().catch(() => {});
        await sleep(wait, signal);
        continue;
      }
      return response;
    }
  };
}

async function shouldRetry(res: Response): Promise<boolean> {
  if (res.status === 408 || res.status === 429 || res.status >= 500) return true;
  if (res.status === 409) {
    // Only the "first request with this key is still running" conflict is worth waiting for.
    try {
      const body = (await res.clone().json()) as { code?: unknown };
      return body?.code === 'idempotency_in_progress';
    } catch {
      return false;
    }
  }
  return false;
}

/** `Retry-After` in seconds or as an HTTP date (also `retry-after-ms`); undefined when absent or unreasonable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  let ms: number | undefined;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader && /^\d+(\.\d+)?$/.test(msHeader.trim())) ms = Number(msHeader);
  const value = headers.get('retry-after')?.trim();
  if (ms === undefined && value) {
    if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
    else if (/^[A-Za-z]{3}, /.test(value)) {
      // IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`
      const at = Date.parse(value);
      if (!Number.isNaN(at)) ms = Math.max(0, at - now);
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_RETRY_AFTER_MS) return undefined;
  return ms;
}

/** 0.5 s·2ⁿ capped at 8 s, minus up to 25 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
  return base * (1 - random() * 0.25);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError(undefined, { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function errorMessage(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
