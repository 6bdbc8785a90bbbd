import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
  webhookRetryDelayMs,
} from '../../src/domain/backoff';

const fixed = (x: number) => () => x;

describe('backoffMs', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };

  it('grows exponentially (factor 2 by default) and is capped at maxMs', () => {
    const none = { ...opts, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffMs(a, none, Math.random))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(backoffMs(3, { ...none, factor: 3 }, Math.random)).toBe(9000);
    expect(backoffMs(1e6, none, Math.random)).toBe(60_000);
    expect(backoffMs(Number.POSITIVE_INFINITY, none, Math.random)).toBe(60_000);
  });

  it('full jitter (default): uniform in [0, d)', () => {
    expect(backoffMs(3, opts, fixed(0))).toBe(0);
    expect(backoffMs(3, opts, fixed(0.5))).toBe(2000);
    expect(backoffMs(3, opts, fixed(0.999999))).toBe(3999);
    expect(backoffMs(3, { ...opts, jitter: 'full' }, fixed(0.25))).toBe(1000);
  });

  it('equal jitter: d/2 + uniform in [0, d/2)', () => {
    const eq = { ...opts, jitter: 'equal' as const };
    expect(backoffMs(3, eq, fixed(0))).toBe(2000);
    expect(backoffMs(3, eq, fixed(0.5))).toBe(3000);
    expect(backoffMs(3, eq, fixed(0.999999))).toBe(3999);
    expect(backoffMs(20, eq, fixed(0))).toBe(30_000);
  });

  it('attempts below 1 count as 1; fractions are floored', () => {
    const none = { ...opts, jitter: 'none' as const };
    expect(backoffMs(0, none, Math.random)).toBe(1000);
    expect(backoffMs(-3, none, Math.random)).toBe(1000);
    expect(backoffMs(2.9, none, Math.random)).toBe(2000);
  });

  it('stays within [0, min(maxMs, d)] whatever the rng returns', () => {
    for (const r of [-1, 0, 0.3, 1, 2, Number.NaN]) {
      for (const jitter of ['full', 'equal', 'none'] as const) {
        const v = backoffMs(4, { ...opts, jitter }, fixed(r));
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(8000);
        expect(Number.isInteger(v)).toBe(true);
      }
    }
  });

  it('with a real rng, full jitter spreads over the range', () => {
    let seed = 1;
    const rng = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const xs = Array.from({ length: 2000 }, () => backoffMs(5, opts, rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.min(...xs)).toBeLessThan(1000);
    expect(Math.max(...xs)).toBeGreaterThan(15_000);
    expect(mean).toBeGreaterThan(7000);
    expect(mean).toBeLessThan(9000);
  });

  it('rejects nonsense options', () => {
    expect(() => backoffMs(Number.NaN, opts, Math.random)).toThrow(RangeError);
    expect(() => backoffMs(1, { baseMs: -1, maxMs: 10 }, Math.random)).toThrow(RangeError);
    expect(() => backoffMs(1, { baseMs: 1, maxMs: Number.NaN }, Math.random)).toThrow(RangeError);
    expect(() => backoffMs(1, { baseMs: 1, maxMs: 10, factor: 0.5 }, Math.random)).toThrow(RangeError);
  });
});

describe('webhook retry schedule', () => {
  it('is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect([...WEBHOOK_RETRY_DELAYS_MS]).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(8);
    expect(Object.isFrozen(WEBHOOK_RETRY_DELAYS_MS)).toBe(true);
  });

  it('webhookRetryDelayMs: the delay after n failed attempts, null when exhausted', () => {
    expect(webhookRetryDelayMs(1)).toBe(5_000);
    expect(webhookRetryDelayMs(2)).toBe(300_000);
    expect(webhookRetryDelayMs(7)).toBe(36_000_000);
    expect(webhookRetryDelayMs(8)).toBeNull();
    expect(webhookRetryDelayMs(0)).toBe(5_000);
  });

  it('optional ±10 % spread', () => {
    expect(webhookRetryDelayMs(2, fixed(0))).toBe(270_000);
    expect(webhookRetryDelayMs(2, fixed(0.5))).toBe(300_000);
    expect(webhookRetryDelayMs(2, fixed(0.999999))).toBeLessThanOrEqual(330_000);
    expect(webhookRetryDelayMs(8, fixed(0.5))).toBeNull();
  });
});
