/**
 * Sending schedules: weekdays and daily wall-clock windows in an IANA time zone.
 *
 * Pure logic: no I/O and no clock; every instant is epoch milliseconds passed in by the caller.
 *
 * Semantics (DST-correct):
 * - A window `{start, end}` on a listed weekday is the half-open real-time interval
 *   `[instant(start), instant(end))` of that local date. The weekday is that of the local date.
 * - A wall time that does not exist (spring-forward gap) maps to the first existing instant after
 *   the gap: a window starting inside the skipped hour opens when the gap ends; a window ending
 *   inside it ends when the gap ends.
 * - A wall time that exists twice (autumn fall-back) maps to its earlier occurrence for a start
 *   and to its later occurrence for an end, so the repeated hour is simply part of the window
 *   (a window 01:00–02:00 on the fall-back day in New York lasts two real hours).
 * - `end: "24:00"` means local midnight at the end of that date.
 * - Windows of one date that touch or overlap are merged; windows of consecutive dates are not
 *   (a window ending at 24:00 ends at midnight even if the next day's window starts at 00:00).
 *
 * Efficiency: the UTC boundaries of each local date are computed once per (schedule, date) and
 * cached, so `isSendable` / `nextSendableInstant` / `windowEndAfter` cost a few map look-ups once
 * warm; `Intl` is only used when a date is seen for the first time.
 *
 * Schedules are compared by content, so a caller may pass a fresh object on each call; an
 * unknown time zone makes the sending functions throw a RangeError (validate first), and windows
 * or weekdays that fail validation are ignored by them.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type ScheduleWindow = { start: string; end: string };

export type Schedule = {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
  weekdays: Weekday[];
  /** `HH:MM` 24 h local wall-clock times; start < end; windows do not overlap. */
  windows: ScheduleWindow[];
};

export type ScheduleIssue = { path: string; message: string };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Upper bound on how far ahead `nextSendableInstant` looks for an open window. */
const MAX_SEARCH_DAYS = 800;

// ---------------------------------------------------------------------------------------------
// HH:MM parsing and validation

const HHMM = /^(\d{2}):(\d{2})$/;

/**
 * Parses `HH:MM` (00:00–23:59, plus `24:00` when `allow24` is set) into minutes after midnight;
 * `null` when malformed or out of range.
 */
export function parseHHMM(value: unknown, allow24 = false): number | null {
  if (typeof value !== 'string') return null;
  const m = HHMM.exec(value);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h < 24) return h * 60 + min;
  if (allow24 && h === 24 && min === 0) return 1440;
  return null;
}

/** True when `tz` names a time zone that `Intl` knows (IANA names; UTC offsets are refused). */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.trim() === '' || tz !== tz.trim()) return false;
  // Newer engines accept offset strings such as "+05:00" as time zones; the contract says IANA.
  if (/^[+\-\u2212]/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every problem with a schedule, with paths such as `timezone`, `weekdays.2`, `windows.1.end`.
 * An empty list means the schedule is valid. Accepts any input (it checks types too).
 */
export function validateSchedule(input: unknown): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: '', message: 'schedule must be an object with timezone, weekdays and windows' }];
  }
  const s = input as Record<string, unknown>;

  // timezone
  if (typeof s.timezone !== 'string' || s.timezone.trim() === '') {
    issues.push({
      path: 'timezone',
      message: 'timezone is required (an IANA time zone such as Europe/Berlin)',
    });
  } else if (!isValidTimeZone(s.timezone)) {
    issues.push({
      path: 'timezone',
      message: `unknown time zone "${s.timezone}" (expected an IANA time zone such as Europe/Berlin)`,
    });
  }

  // weekdays
  if (!Array.isArray(s.weekdays)) {
    issues.push({ path: 'weekdays', message: `weekdays must be an array of ${WEEKDAYS.join(', ')}` });
  } else if (s.weekdays.length === 0) {
    issues.push({ path: 'weekdays', message: 'weekdays must list at least one day' });
  } else {
    const seen = new Set<string>();
    s.weekdays.forEach((d: unknown, i: number) => {
      if (typeof d !== 'string' || !(WEEKDAYS as readonly string[]).includes(d)) {
        issues.push({
          path: `weekdays.${i}`,
          message: `unknown weekday ${JSON.stringify(d)} (expected one of ${WEEKDAYS.join(', ')})`,
        });
      } else if (seen.has(d)) {
        issues.push({ path: `weekdays.${i}`, message: `duplicate weekday "${d}"` });
      } else {
        seen.add(d);
      }
    });
  }

  // windows
  if (!Array.isArray(s.windows)) {
    issues.push({ path: 'windows', message: 'windows must be an array of {start: "HH:MM", end: "HH:MM"}' });
  } else if (s.windows.length === 0) {
    issues.push({ path: 'windows', message: 'windows must contain at least one window' });
  } else {
    const parsed: { i: number; start: number; end: number }[] = [];
    s.windows.forEach((w: unknown, i: number) => {
      if (typeof w !== 'object' || w === null || Array.isArray(w)) {
        issues.push({
          path: `windows.${i}`,
          message: 'window must be an object {start: "HH:MM", end: "HH:MM"}',
        });
        return;
      }
      const win = w as Record<string, unknown>;
      const start = parseHHMM(win.start, false);
      const end = parseHHMM(win.end, true);
      if (start === null) {
        issues.push({
          path: `windows.${i}.start`,
          message: `start must be a time "HH:MM" between 00:00 and 23:59, got ${JSON.stringify(win.start)}`,
        });
      }
      if (end === null) {
        issues.push({
          path: `windows.${i}.end`,
          message: `end must be a time "HH:MM" between 00:00 and 24:00, got ${JSON.stringify(win.end)}`,
        });
      }
      if (start === null || end === null) return;
      if (start >= end) {
        issues.push({
          path: `windows.${i}.end`,
          message: `end (${win.end}) must be after start (${win.start})`,
        });
        return;
      }
      parsed.push({ i, start, end });
    });
    const sorted = [...parsed].sort((a, b) => a.start - b.start || a.i - b.i);
    for (let k = 1; k < sorted.length; k++) {
      const cur = sorted[k]!;
      // Compare with every earlier window that could still reach this one (the latest end so far).
      for (let j = 0; j < k; j++) {
        const prev = sorted[j]!;
        if (cur.start < prev.end) {
          const [first, second] = prev.i < cur.i ? [prev, cur] : [cur, prev];
          issues.push({
            path: `windows.${second.i}`,
            message: `window ${fmt(second.start)}–${fmt(second.end)} overlaps windows.${first.i} (${fmt(first.start)}–${fmt(first.end)})`,
          });
        }
      }
    }
  }
  return issues;
}

function fmt(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Time-zone primitives (Intl, cached per zone)

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAY_FROM_SHORT: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

export type LocalParts = {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
};

/** The local wall-clock reading of an instant in a time zone. */
export function localParts(timezone: string, instantMs: number): LocalParts {
  const parts = formatterFor(timezone).formatToParts(instantMs);
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 'mon' };
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAY_FROM_SHORT[p.value] ?? 'mon';
        break;
    }
  }
  return out;
}

/**
 * The local wall-clock time of `instantMs` expressed as if it were UTC (ms precision kept), so
 * `wallAsUtc(tz, t) - t` is the zone's UTC offset at `t`.
 */
function wallAsUtc(tz: string, instantMs: number): number {
  const p = localParts(tz, instantMs);
  const msPart = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + msPart;
}

function offsetAt(tz: string, instantMs: number): number {
  return wallAsUtc(tz, instantMs) - instantMs;
}

/**
 * The instant at which the local wall time `wall` (a wall-clock reading written as UTC ms) occurs.
 * Ambiguous (fall-back): the earlier occurrence with `'earlier'`, the later one with `'later'`.
 * Nonexistent (spring-forward gap): the first existing instant after the gap.
 */
function wallToInstant(tz: string, wall: number, prefer: 'earlier' | 'later'): number {
  const before = offsetAt(tz, wall - DAY_MS);
  const after = offsetAt(tz, wall + DAY_MS);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = wall - off;
    if (wallAsUtc(tz, t) === wall) candidates.push(t);
  }
  if (candidates.length > 0) {
    return prefer === 'earlier' ? Math.min(...candidates) : Math.max(...candidates);
  }
  if (before === after) {
    // Two transitions within a couple of days (very rare): fall back to the nearest reading.
    return wall - before;
  }
  // Gap: find the first instant whose wall time is >= `wall` (the end of the gap).
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  if (wallAsUtc(tz, lo) >= wall) return lo;
  // Invariant: wall(lo) < wall, wall(hi) >= wall. Transitions fall on whole seconds.
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallAsUtc(tz, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Compiled schedules and the per-date boundary cache

type Compiled = {
  timezone: string;
  /** Listed weekdays, indexed 0 = mon … 6 = sun. */
  days: boolean[];
  /** Valid windows in minutes, sorted by start. */
  windows: { start: number; end: number }[];
  /** Snapshot used to verify an identity-cache hit. */
  weekdaysSnap: string[];
  windowsSnap: string[];
  /** Local date (days since 1970-01-01) → flattened [start0, end0, start1, end1, …] UTC ms. */
  dayCache: Map<number, number[]>;
  empty: boolean;
};

const byObject = new WeakMap<Schedule, Compiled>();
const byKey = new Map<string, Compiled>();
const MAX_KEYED = 1000;
const MAX_DAYS_CACHED = 20_000;

function snapshotMatches(c: Compiled, s: Schedule): boolean {
  if (c.timezone !== s.timezone) return false;
  const wd = s.weekdays;
  const ws = s.windows;
  if (!Array.isArray(wd) || !Array.isArray(ws)) return false;
  if (wd.length !== c.weekdaysSnap.length || ws.length * 2 !== c.windowsSnap.length) return false;
  for (let i = 0; i < wd.length; i++) if (wd[i] !== c.weekdaysSnap[i]) return false;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (!w || w.start !== c.windowsSnap[2 * i] || w.end !== c.windowsSnap[2 * i + 1]) return false;
  }
  return true;
}

function compile(s: Schedule): Compiled {
  const hit = byObject.get(s);
  if (hit && snapshotMatches(hit, s)) return hit;

  const weekdaysSnap = Array.isArray(s.weekdays) ? s.weekdays.map((d) => String(d)) : [];
  const windowsSnap: string[] = [];
  if (Array.isArray(s.windows)) {
    for (const w of s.windows) windowsSnap.push(String(w?.start), String(w?.end));
  }
  const key = `${s.timezone}\u0000${weekdaysSnap.join(',')}\u0000${windowsSnap.join(',')}`;
  let c = byKey.get(key);
  if (!c) {
    if (!isValidTimeZone(s.timezone)) {
      throw new RangeError(`Unknown time zone: ${JSON.stringify(s.timezone)}`);
    }
    const days = WEEKDAYS.map((d) => weekdaysSnap.includes(d));
    const windows: { start: number; end: number }[] = [];
    for (let i = 0; i < windowsSnap.length; i += 2) {
      const start = parseHHMM(windowsSnap[i], false);
      const end = parseHHMM(windowsSnap[i + 1], true);
      if (start !== null && end !== null && start < end) windows.push({ start, end });
    }
    windows.sort((a, b) => a.start - b.start);
    c = {
      timezone: s.timezone,
      days,
      windows,
      weekdaysSnap,
      windowsSnap,
      dayCache: new Map(),
      empty: windows.length === 0 || !days.some(Boolean),
    };
    if (byKey.size >= MAX_KEYED) byKey.clear();
    byKey.set(key, c);
  }
  byObject.set(s, c);
  return c;
}

const NO_INTERVALS: number[] = [];

/** Sorted, merged [start, end) UTC intervals of one local date (days since the epoch). */
function intervalsForDate(c: Compiled, localDay: number): number[] {
  const cached = c.dayCache.get(localDay);
  if (cached) return cached;
  let result = NO_INTERVALS;
  // 1970-01-01 was a Thursday; index 0 = mon.
  const weekdayIndex = (((localDay + 3) % 7) + 7) % 7;
  if (c.days[weekdayIndex]) {
    const base = localDay * DAY_MS;
    const raw: number[] = [];
    for (const w of c.windows) {
      const start = wallToInstant(c.timezone, base + w.start * MINUTE_MS, 'earlier');
      const end = wallToInstant(c.timezone, base + w.end * MINUTE_MS, 'later');
      if (end > start) raw.push(start, end);
    }
    if (raw.length > 0) {
      // Windows are sorted by wall start, so starts are non-decreasing; merge touching/overlapping.
      result = [raw[0]!, raw[1]!];
      for (let i = 2; i < raw.length; i += 2) {
        const s = raw[i]!;
        const e = raw[i + 1]!;
        const last = result.length - 1;
        if (s <= result[last]!) {
          if (e > result[last]!) result[last] = e;
        } else {
          result.push(s, e);
        }
      }
    }
  }
  if (c.dayCache.size >= MAX_DAYS_CACHED) c.dayCache.clear();
  c.dayCache.set(localDay, result);
  return result;
}

// Offsets lie within [-14 h, +14 h] (plus a DST hour): the intervals of local date D lie within
// [D·day − 15 h, (D+1)·day + 15 h], so an instant in UTC day U can only be inside intervals of
// local dates U−2 … U+1 (a margin of one day either side of what offsets strictly require).
function utcDay(instantMs: number): number {
  return Math.floor(instantMs / DAY_MS);
}

function assertInstant(instantMs: number): void {
  if (!Number.isFinite(instantMs)) throw new RangeError(`instant must be a finite number, got ${instantMs}`);
}

/** True when `instantMs` lies inside a window (windows are `[start, end)`) on a listed weekday. */
export function isSendable(schedule: Schedule, instantMs: number): boolean {
  assertInstant(instantMs);
  const c = compile(schedule);
  if (c.empty) return false;
  const u = utcDay(instantMs);
  for (let d = u - 2; d <= u + 1; d++) {
    const iv = intervalsForDate(c, d);
    for (let i = 0; i < iv.length; i += 2) {
      if (instantMs >= iv[i]! && instantMs < iv[i + 1]!) return true;
    }
  }
  return false;
}

/**
 * `instantMs` itself when it is sendable; otherwise the earliest later instant at which a window
 * opens. `null` when the schedule has no usable window or weekday.
 */
export function nextSendableInstant(schedule: Schedule, instantMs: number): number | null {
  assertInstant(instantMs);
  const c = compile(schedule);
  if (c.empty) return null;
  const u = utcDay(instantMs);
  let best: number | null = null;
  for (let d = u - 2; d <= u + MAX_SEARCH_DAYS; d++) {
    // Every interval of local date d starts at or after d·day − 15 h.
    if (best !== null && best <= d * DAY_MS - 15 * 3_600_000) break;
    const iv = intervalsForDate(c, d);
    for (let i = 0; i < iv.length; i += 2) {
      if (iv[i + 1]! > instantMs) {
        const candidate = Math.max(iv[i]!, instantMs);
        if (best === null || candidate < best) best = candidate;
        break; // later intervals of this date start later still
      }
    }
  }
  return best;
}

/**
 * The end of the window that contains `instantMs` (windows of one date that touch are merged),
 * or `null` when `instantMs` is not sendable.
 */
export function windowEndAfter(schedule: Schedule, instantMs: number): number | null {
  assertInstant(instantMs);
  const c = compile(schedule);
  if (c.empty) return null;
  const u = utcDay(instantMs);
  let end: number | null = null;
  for (let d = u - 2; d <= u + 1; d++) {
    const iv = intervalsForDate(c, d);
    for (let i = 0; i < iv.length; i += 2) {
      if (instantMs >= iv[i]! && instantMs < iv[i + 1]!) {
        if (end === null || iv[i + 1]! > end) end = iv[i + 1]!;
      }
    }
  }
  return end;
}
