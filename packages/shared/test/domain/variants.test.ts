import { describe, expect, it } from 'vitest';
import { hash32, hashToUnit, pickVariant, weightedPick } from '../../src/domain/variants';

const contacts = Array.from({ length: 20_000 }, (_, i) => `cnt_${i.toString().padStart(6, '0')}`);

function share<T extends { id: string; weight: number }>(variants: T[], stepId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of contacts) {
    const v = pickVariant(variants, c, stepId);
    if (v) counts.set(v.id, (counts.get(v.id) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, n]) => [k, n / contacts.length]));
}

describe('hash32', () => {
  it('is a pinned, stable function', () => {
    // Changing the hash would move contacts already in flight to another variant.
    expect(hash32('')).toBe(hash32(''));
    expect(hash32('cnt_1:stp_1')).toBe(hash32('cnt_1:stp_1'));
    expect(hash32('cnt_1:stp_1')).not.toBe(hash32('cnt_2:stp_1'));
    expect([hash32('a'), hash32('cnt_1:stp_1')]).toMatchInlineSnapshot(`
      [
        444641715,
        748072176,
      ]
    `);
  });

  it('hashes the UTF-8 bytes (same as hashing TextEncoder output)', () => {
    const reference = (s: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(s)) {
        h ^= b;
        h = Math.imul(h, 0x01000193);
      }
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    for (const s of ['', 'abc', 'café', '日本語', 'emoji 😀', 'lone \ud800 surrogate']) {
      expect(hash32(s)).toBe(reference(s));
    }
  });

  it('maps to [0, 1)', () => {
    for (const c of contacts.slice(0, 2000)) {
      const u = hashToUnit(`${c}:stp_1`);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe('pickVariant', () => {
  const ab = [
    { id: 'var_a', weight: 70 },
    { id: 'var_b', weight: 30 },
  ];

  it('returns null for an empty list', () => {
    expect(pickVariant([], 'cnt_1', 'stp_1')).toBeNull();
  });

  it('returns the only variant', () => {
    const only = { id: 'var_x', weight: 5 };
    expect(pickVariant([only], 'cnt_1', 'stp_1')).toBe(only);
  });

  it('is stable for a contact and step, whatever the order of the variants', () => {
    for (const c of contacts.slice(0, 500)) {
      const first = pickVariant(ab, c, 'stp_1');
      expect(pickVariant(ab, c, 'stp_1')).toBe(first);
      expect(pickVariant([...ab].reverse(), c, 'stp_1')).toBe(first);
    }
  });

  it('returns one of the given objects (typed)', () => {
    const variants = [
      { id: 'var_a', weight: 1, subject: 'A' },
      { id: 'var_b', weight: 1, subject: 'B' },
    ];
    const v = pickVariant(variants, 'cnt_1', 'stp_1');
    expect(variants).toContain(v);
    expect(['A', 'B']).toContain(v?.subject);
  });

  it('splits 20,000 contacts 70/30 within ±2%', () => {
    const s = share(ab, 'stp_1');
    expect(Math.abs((s.get('var_a') ?? 0) - 0.7)).toBeLessThan(0.02);
    expect(Math.abs((s.get('var_b') ?? 0) - 0.3)).toBeLessThan(0.02);
  });

  it('splits 20,000 contacts 50/50 within ±2%', () => {
    const s = share(
      [
        { id: 'var_a', weight: 50 },
        { id: 'var_b', weight: 50 },
      ],
      'stp_01HXYZ',
    );
    expect(Math.abs((s.get('var_a') ?? 0) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs((s.get('var_b') ?? 0) - 0.5)).toBeLessThan(0.02);
  });

  it('splits 3 ways by weight', () => {
    const s = share(
      [
        { id: 'var_1', weight: 1 },
        { id: 'var_2', weight: 2 },
        { id: 'var_3', weight: 1 },
      ],
      'stp_3',
    );
    expect(Math.abs((s.get('var_1') ?? 0) - 0.25)).toBeLessThan(0.02);
    expect(Math.abs((s.get('var_2') ?? 0) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs((s.get('var_3') ?? 0) - 0.25)).toBeLessThan(0.02);
  });

  it('draws independently per step', () => {
    let same = 0;
    const fifty = [
      { id: 'var_a', weight: 50 },
      { id: 'var_b', weight: 50 },
    ];
    for (const c of contacts) {
      if (pickVariant(fifty, c, 'stp_1') === pickVariant(fifty, c, 'stp_2')) same++;
    }
    expect(Math.abs(same / contacts.length - 0.5)).toBeLessThan(0.02);
  });

  it('never chooses a zero-weight variant', () => {
    const variants = [
      { id: 'var_a', weight: 0 },
      { id: 'var_b', weight: 10 },
      { id: 'var_c', weight: 0 },
      { id: 'var_d', weight: Number.NaN },
      { id: 'var_e', weight: -5 },
    ];
    for (const c of contacts) expect(pickVariant(variants, c, 'stp_1')?.id).toBe('var_b');
  });

  it('returns null when no variant has a positive weight', () => {
    expect(pickVariant([{ id: 'var_a', weight: 0 }], 'cnt_1', 'stp_1')).toBeNull();
  });
});

describe('weightedPick', () => {
  const items = ['a', 'b', 'c'];
  const w = (t: string) => ({ a: 1, b: 0, c: 3 })[t] ?? 0;

  it('maps r over the cumulative weights', () => {
    expect(weightedPick(items, w, 0)).toBe('a');
    expect(weightedPick(items, w, 0.2499)).toBe('a');
    expect(weightedPick(items, w, 0.25)).toBe('c');
    expect(weightedPick(items, w, 0.9999999)).toBe('c');
  });

  it('clamps r outside [0, 1)', () => {
    expect(weightedPick(items, w, -1)).toBe('a');
    expect(weightedPick(items, w, Number.NaN)).toBe('a');
    expect(weightedPick(items, w, 1)).toBe('c');
    expect(weightedPick(items, w, 7)).toBe('c');
  });

  it('never picks zero weight and returns null when nothing is eligible', () => {
    for (let i = 0; i < 1000; i++) expect(weightedPick(items, w, i / 1000)).not.toBe('b');
    expect(weightedPick([], w, 0.5)).toBeNull();
    expect(weightedPick(['b'], w, 0.5)).toBeNull();
  });

  it('follows the weights for uniform r', () => {
    const counts = { a: 0, c: 0 } as Record<string, number>;
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const t = weightedPick(items, w, (i + 0.5) / n)!;
      counts[t] = (counts[t] ?? 0) + 1;
    }
    expect(counts.a! / n).toBeCloseTo(0.25, 3);
    expect(counts.c! / n).toBeCloseTo(0.75, 3);
  });
});
