/**
 * What one webhook attempt means for its delivery and its subscription (pure): succeeded, retried
 * on the schedule of API.md (or after `Retry-After` on 429/503), failed after the last attempt;
 * a 410 disables the subscription at once, 5 days of nothing but failures disable it too.
 */
import { WEBHOOK_MAX_ATTEMPTS, webhookRetryDelayMs } from './backoff';

export interface AttemptResult {
  ok: boolean;
  /** HTTP status, null when no answer came (timeout, refused address, connection error). */
  status: number | null;
  bodySnippet: string | null;
  durationMs: number;
  error: string | null;
  /** From `Retry-After` on a 429 or 503, already relative to the attempt. */
  retryAfterMs: number | null;
}

export interface DeliveryDecision {
  status: 'succeeded' | 'pending' | 'failed';
  nextAttemptAt: number | null;
  /** The subscription's new `failingSince`. */
  failingSince: number | null;
  /** Set when this attempt disables the subscription. */
  disable: 'gone' | 'failing_5_days' | null;
}

export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;
/** A `Retry-After` is honoured up to this long. */
export const WEBHOOK_MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** `attemptsMade` counts this attempt. */
export function decideDelivery(
  attemptsMade: number,
  result: AttemptResult,
  now: number,
  failingSince: number | null,
  rng: () => number,
): DeliveryDecision {
  if (result.ok) return { status: 'succeeded', nextAttemptAt: null, failingSince: null, disable: null };
  const since = failingSince ?? now;
  const disable =
    result.status === 410 ? 'gone' : now - since >= WEBHOOK_DISABLE_AFTER_MS ? 'failing_5_days' : null;
  const scheduled = attemptsMade >= WEBHOOK_MAX_ATTEMPTS ? null : webhookRetryDelayMs(attemptsMade, rng);
  if (scheduled === null) return { status: 'failed', nextAttemptAt: null, failingSince: since, disable };
  const delay = result.retryAfterMs != null ? result.retryAfterMs : scheduled;
  return { status: 'pending', nextAttemptAt: now + delay, failingSince: since, disable };
}

/** `Retry-After` as delay-seconds or an HTTP date, clamped to [0, 24 h]; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(WEBHOOK_MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
