/**
 * Deterministic weighted choices (A/B/n variants per contact and step, mailbox rotation).
 * Pure JS, no I/O, no crypto.
 */

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `s`, followed by the murmur3 `fmix32` finaliser so that
 * inputs differing only in their first characters (sequential ids) still spread over the high bits.
 * Returns an unsigned 32-bit integer. Stable across processes, platforms and releases: do not change,
 * or contacts already in flight would switch variants.
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  };
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate, as TextEncoder does
    if (cp < 0x80) {
      byte(cp);
    } else if (cp < 0x800) {
      byte(0xc0 | (cp >> 6));
      byte(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      byte(0xe0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 0x3f));
      byte(0x80 | (cp & 0x3f));
    } else {
      byte(0xf0 | (cp >> 18));
      byte(0x80 | ((cp >> 12) & 0x3f));
      byte(0x80 | ((cp >> 6) & 0x3f));
      byte(0x80 | (cp & 0x3f));
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Maps `s` to a stable number in [0, 1). */
export function hashToUnit(s: string): number {
  return hash32(s) / 4294967296;
}

function usableWeight(w: number): number {
  return typeof w === 'number' && Number.isFinite(w) && w > 0 ? w : 0;
}

/**
 * Weighted choice for a given `r` in [0, 1): item i is chosen when `r * total` falls in its share.
 * Items with a weight that is 0, negative or not finite are never chosen. Returns null when no item has
 * a positive weight. `r` outside [0, 1) is clamped (NaN counts as 0).
 */
export function weightedPick<T>(items: readonly T[], weight: (t: T) => number, r: number): T | null {
  let total = 0;
  const weights: number[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const w = usableWeight(weight(items[i]!));
    weights[i] = w;
    total += w;
  }
  if (total <= 0) return null;
  const u = Number.isNaN(r) || r < 0 ? 0 : r >= 1 ? 1 - Number.EPSILON : r;
  const target = u * total;
  let cum = 0;
  let lastPositive: T | null = null;
  for (let i = 0; i < items.length; i++) {
    const w = weights[i]!;
    if (w <= 0) continue;
    cum += w;
    lastPositive = items[i]!;
    if (target < cum) return lastPositive;
  }
  // Floating-point rounding at the very top of the range.
  return lastPositive;
}

/**
 * The variant a contact gets for a step: a weighted choice drawn from a stable hash of
 * `contactId + ':' + stepId`, so retries, previews and resends agree. Variants are ordered by id first,
 * so the result does not depend on the order the caller loaded them in. Zero-weight variants are never
 * chosen; returns null for an empty list (or when no variant has a positive weight).
 */
export function pickVariant<T extends { id: string; weight: number }>(
  variants: readonly T[],
  contactId: string,
  stepId: string,
): T | null {
  if (variants.length === 0) return null;
  const sorted = [...variants].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return weightedPick(sorted, (v) => v.weight, hashToUnit(`${contactId}:${stepId}`));
}
