import { randomBytes } from 'node:crypto';

// Crockford base32: URL-safe and sorts the same as the timestamp it encodes.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export const ID_PREFIXES = {
  campaign: 'cmp',
  step: 'stp',
  variant: 'var',
  contact: 'cnt',
  import: 'imp',
  mailbox: 'mbx',
  campaignMailbox: 'cmb',
  send: 'snd',
  job: 'job',
  thread: 'thr',
  message: 'msg',
  subsequence: 'sub',
  webhookSubscription: 'wh_sub',
  event: 'evt',
  webhookDelivery: 'whd',
  apiKey: 'key',
  suppression: 'sup',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

let lastMs = 0;
let lastRandom: number[] = [];

/**
 * `<prefix>_<10 chars time><16 chars random>`: 48-bit ms timestamp then 80 random bits.
 * Within one millisecond the random part is incremented, so ids made by one process are
 * strictly increasing (keyset pagination on id then follows creation order).
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  let random: number[];
  if (nowMs <= lastMs && lastRandom.length) {
    nowMs = lastMs;
    random = increment(lastRandom);
  } else {
    random = Array.from(randomBytes(16), (b) => b & 31);
  }
  lastMs = nowMs;
  lastRandom = random;
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${ID_PREFIXES[kind]}_${time}${random.map((d) => ALPHABET[d]).join('')}`;
}

function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
