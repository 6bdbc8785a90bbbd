/**
 * Retry delays: exponential backoff with jitter for the work queue, and the fixed webhook
 * retry schedule of API.md (Standard Webhooks: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
 * Pure: randomness is passed in (`rng` returns a number in [0, 1), like Math.random).
 */

export type Jitter = 'full' | 'equal' | 'none';

export type BackoffOptions = {
  /** Delay before the first retry (attempt 1), before jitter. */
  baseMs: number;
  /** Cap on the un-jittered delay. */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /**
   * `full` (default): uniform in [0, d). `equal`: d/2 + uniform in [0, d/2). `none`: d.
   * where d = min(maxMs, baseMs · factor^(attempt − 1)).
   */
  jitter?: Jitter;
};

/**
 * The delay before the next try after `attempt` tries have failed (1-based: attempt 1 → about
 * `baseMs`). Attempts below 1 count as 1; fractions are floored. Returns whole milliseconds,
 * never negative and never above `maxMs`.
 */
export function backoffMs(attempt: number, opts: BackoffOptions, rng: () => number): number {
  const { baseMs, maxMs } = opts;
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? 'full';
  if (Number.isNaN(attempt)) throw new RangeError('attempt must be a number, got NaN');
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new RangeError(`baseMs must be >= 0, got ${baseMs}`);
  if (!(maxMs >= 0)) throw new RangeError(`maxMs must be >= 0, got ${maxMs}`);
  if (!Number.isFinite(factor) || factor < 1) throw new RangeError(`factor must be >= 1, got ${factor}`);

  const n = Math.max(1, Math.floor(attempt));
  // factor^(n-1) may overflow to Infinity for large n; min() caps it.
  const raw = baseMs * factor ** (n - 1);
  const capped = Math.min(maxMs, Number.isNaN(raw) ? maxMs : raw);
  let delay: number;
  switch (jitter) {
    case 'none':
      delay = capped;
      break;
    case 'equal':
      delay = capped / 2 + unit(rng) * (capped / 2);
      break;
    default:
      delay = unit(rng) * capped;
  }
  return Math.max(0, Math.min(Math.floor(capped), Math.floor(delay)));
}

function unit(rng: () => number): number {
  const r = rng();
  if (!Number.isFinite(r) || r < 0) return 0;
  return r >= 1 ? 1 - Number.EPSILON : r;
}

/** Delays between webhook delivery attempts: after the 1st failure 5 s, …, after the 7th 10 h. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  5_000, // 5 s
  5 * 60_000, // 5 min
  30 * 60_000, // 30 min
  2 * 3_600_000, // 2 h
  5 * 3_600_000, // 5 h
  10 * 3_600_000, // 10 h
  10 * 3_600_000, // 10 h
]);

/** The first attempt plus one per retry delay: 8. After that the delivery is `failed`. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

/**
 * The delay before the next webhook attempt after `attemptsMade` attempts have failed, or `null`
 * when the delivery has used all its attempts. With `rng`, the delay is spread by ±10 % so many
 * deliveries failing together do not retry together.
 */
export function webhookRetryDelayMs(attemptsMade: number, rng?: () => number): number | null {
  if (!Number.isFinite(attemptsMade) || attemptsMade < 1) return WEBHOOK_RETRY_DELAYS_MS[0]!;
  const base = WEBHOOK_RETRY_DELAYS_MS[Math.floor(attemptsMade) - 1];
  if (base === undefined) return null;
  if (!rng) return base;
  return Math.round(base * (0.9 + 0.2 * unit(rng)));
}
