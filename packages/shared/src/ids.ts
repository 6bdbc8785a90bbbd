import { randomFillSync } from 'node:crypto';

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

/** The 10-character time part: 48-bit ms, most significant first (sorts as the time does). */
function encodeTime(ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/**
 * Random base-32 digits from a pool filled 4 KB at a time (as node's randomUUID buffers its
 * randomness): one `randomBytes` call per id cost more than the rest of the id.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomDigits(n: number): number[] {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = pool[poolAt + i]! & 31;
  poolAt += n;
  return out;
}

let lastMs = 0;
let lastRandom: number[] = [];

/**
 * `<prefix>_<10 chars time><16 chars random>`: 48-bit ms timestamp then 80 random bits.
 * Within one millisecond the random part grows by a random step (1 to 2^40), so ids made by one
 * process are strictly increasing (keyset pagination on id follows creation order) without being
 * guessable from one another.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  let random: number[];
  if (nowMs <= lastMs && lastRandom.length) {
    nowMs = lastMs;
    random = addRandomStep(lastRandom);
  } else {
    random = randomDigits(16);
  }
  lastMs = nowMs;
  lastRandom = random;
  return `${ID_PREFIXES[kind]}_${encodeTime(nowMs)}${random.map((d) => ALPHABET[d]).join('')}`;
}

/** Adds a random 1 to 2^40 (8 random base-32 digits) to the digits, carrying upward. */
function addRandomStep(digits: number[]): number[] {
  const next = digits.slice();
  const step = randomDigits(8);
  if (!step.some((d) => d > 0)) step[7] = 1;
  let carry = 0;
  for (let i = next.length - 1, k = step.length - 1; i >= 0; i--, k--) {
    const sum = next[i]! + (k >= 0 ? step[k]! : 0) + carry;
    next[i] = sum & 31;
    carry = sum >> 5;
    if (k < 0 && carry === 0) break;
  }
  return next;
}

/** The smallest id of this kind made at or after `ms` (ids start with their time). */
export function idFloor(kind: IdKind, ms: number): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(ms)}`;
}

/** Random characters each id made in SQL gets (5 bits each, from SQLite's `random()`). */
const SQL_RANDOM_CHARS = 10;
const SQL_RANDOM = Array.from(
  { length: SQL_RANDOM_CHARS },
  () => `substr('${ALPHABET}', (random() & 31) + 1, 1)`,
).join(' || ');

/**
 * Ids made in SQL, one per row of an `INSERT … SELECT`: bind `prefix` where `sql` has its
 * parameter (default `?`). The id has {@link newId}'s shape: `<kind>_`, 10 time characters, a
 * 6-character block taken from this process's id sequence, then 10 characters made by SQLite for
 * each row. The block sorts after every id this process made before and before every id it makes
 * after (the sequence skips past the block), so ids keep following creation order across code and
 * SQL. The row part is random (50 bits); with `orderBy` (a column of the rows) it is a running
 * sum of random steps instead, written as 10 hex digits, so the rows' ids are random yet follow
 * that order (as `newId` does within a millisecond). Each step is random over 40 - log2(maxRows)
 * bits (maxRows default 1,024: 30 bits), so `maxRows` rows always fit the 10 digits. The one place
 * ids are made in SQL.
 */
export function sqlId(kind: IdKind, nowMs: number, opts: SqlIdOptions = {}): { sql: string; prefix: string } {
  return { sql: sqlIdExpression(opts), prefix: sqlIdPrefix(kind, nowMs) };
}

export interface SqlIdOptions {
  param?: string;
  orderBy?: string;
  maxRows?: number;
}

/** The SQL expression of {@link sqlId} alone (for statements written once). */
export function sqlIdExpression(opts: SqlIdOptions = {}): string {
  const param = opts.param ?? '?';
  const stepBits = 40 - Math.ceil(Math.log2(Math.max(2, opts.maxRows ?? 1024)));
  const row = opts.orderBy
    ? `printf('%010x', sum(1 + (random() & ${2 ** stepBits - 1})) OVER (ORDER BY ${opts.orderBy}))`
    : SQL_RANDOM;
  return `(${param} || ${row})`;
}

/** The prefix to bind for one statement of {@link sqlId} (advances this process's id sequence). */
export function sqlIdPrefix(kind: IdKind, nowMs: number): string {
  const before = newId(kind, nowMs); // advances the sequence; the block goes just above it
  const digits = lastRandom.slice(0, 6);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 31) i--;
  // All six at 31 (odds 2^-30): the block stays and may interleave with the id just made.
  if (i >= 0) {
    digits[i]!++;
    digits.fill(0, i + 1);
  }
  lastRandom = [...digits, ...Array<number>(16 - digits.length).fill(31)];
  const time = before.slice(before.indexOf('_') + 1, before.indexOf('_') + 11);
  const prefix = `${ID_PREFIXES[kind]}_${time}${digits.map((d) => ALPHABET[d]).join('')}`;
  return prefix;
}

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
