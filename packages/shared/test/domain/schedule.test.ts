import { describe, expect, it } from 'vitest';
import {
  isSendable,
  isValidTimeZone,
  localParts,
  nextSendableInstant,
  parseHHMM,
  type Schedule,
  validateSchedule,
  WEEKDAYS,
  type Weekday,
  windowEndAfter,
} from '../../src/domain/schedule';

const T = (iso: string) => Date.parse(iso);
const ISO = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const H = 3_600_000;
const MIN = 60_000;
const ALL_DAYS: Weekday[] = [...WEEKDAYS];
const WORKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function sched(timezone: string, windows: [string, string][], weekdays: Weekday[] = ALL_DAYS): Schedule {
  return { timezone, weekdays, windows: windows.map(([start, end]) => ({ start, end })) };
}

/** Deterministic PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('basic windows (America/New_York, Mon–Fri 09:00–12:00 and 13:00–17:00)', () => {
  const s = sched(
    'America/New_York',
    [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ],
    WORKDAYS,
  );

  it('an instant exactly at a window start is inside; exactly at its end is outside', () => {
    // Tue 2026-01-06, EST (UTC-5): 09:00 local = 14:00Z
    expect(isSendable(s, T('2026-01-06T14:00:00Z'))).toBe(true);
    expect(nextSendableInstant(s, T('2026-01-06T14:00:00Z'))).toBe(T('2026-01-06T14:00:00Z'));
    expect(isSendable(s, T('2026-01-06T13:59:59.999Z'))).toBe(false);
    // 12:00 local = 17:00Z is the end of the first window
    expect(isSendable(s, T('2026-01-06T16:59:59.999Z'))).toBe(true);
    expect(isSendable(s, T('2026-01-06T17:00:00Z'))).toBe(false);
    expect(ISO(nextSendableInstant(s, T('2026-01-06T17:00:00Z')))).toBe('2026-01-06T18:00:00.000Z');
  });

  it('returns the instant itself when inside a window', () => {
    const t = T('2026-01-06T15:23:45.678Z');
    expect(nextSendableInstant(s, t)).toBe(t);
  });

  it('before the first window of a day → that window; after the last → the next day', () => {
    expect(ISO(nextSendableInstant(s, T('2026-01-06T06:00:00Z')))).toBe('2026-01-06T14:00:00.000Z');
    // Tue 17:00 local (22:00Z) → Wed 09:00 local
    expect(ISO(nextSendableInstant(s, T('2026-01-06T22:00:00Z')))).toBe('2026-01-07T14:00:00.000Z');
  });

  it('skips weekends: after the last window of Friday → Monday first window', () => {
    // Fri 2026-01-09 17:00 EST = 22:00Z
    expect(ISO(nextSendableInstant(s, T('2026-01-09T22:00:00Z')))).toBe('2026-01-12T14:00:00.000Z');
    // Saturday noon, Sunday 23:59 local
    expect(isSendable(s, T('2026-01-10T17:00:00Z'))).toBe(false);
    expect(ISO(nextSendableInstant(s, T('2026-01-10T17:00:00Z')))).toBe('2026-01-12T14:00:00.000Z');
    expect(ISO(nextSendableInstant(s, T('2026-01-12T04:59:00Z')))).toBe('2026-01-12T14:00:00.000Z');
  });

  it('Friday → Monday across the spring DST change (EST → EDT)', () => {
    // Fri 2026-03-06 17:00 EST = 22:00Z; Mon 2026-03-09 09:00 EDT = 13:00Z
    expect(ISO(nextSendableInstant(s, T('2026-03-06T22:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
  });

  it('weekday is the local one, not the UTC one', () => {
    // Sat 2026-01-10 02:00Z is still Friday 21:00 in New York; a Friday-only evening window applies.
    const fri = sched('America/New_York', [['20:00', '22:00']], ['fri']);
    expect(isSendable(fri, T('2026-01-10T02:00:00Z'))).toBe(true);
    const sat = sched('America/New_York', [['20:00', '22:00']], ['sat']);
    expect(isSendable(sat, T('2026-01-10T02:00:00Z'))).toBe(false);
  });

  it('windowEndAfter gives the end of the containing window, null outside', () => {
    expect(ISO(windowEndAfter(s, T('2026-01-06T14:00:00Z')))).toBe('2026-01-06T17:00:00.000Z');
    expect(ISO(windowEndAfter(s, T('2026-01-06T21:59:59Z')))).toBe('2026-01-06T22:00:00.000Z');
    expect(windowEndAfter(s, T('2026-01-06T17:00:00Z'))).toBeNull();
    expect(windowEndAfter(s, T('2026-01-10T17:00:00Z'))).toBeNull();
  });

  it('windowEndAfter merges windows that touch', () => {
    const touching = sched('UTC', [
      ['13:00', '17:00'],
      ['09:00', '13:00'],
    ]);
    expect(ISO(windowEndAfter(touching, T('2026-01-06T10:00:00Z')))).toBe('2026-01-06T17:00:00.000Z');
    expect(isSendable(touching, T('2026-01-06T13:00:00Z'))).toBe(true);
  });
});

describe('a window ending at 24:00', () => {
  const s = sched('Europe/Berlin', [['20:00', '24:00']], ['mon']);

  it('is sendable until local midnight, exclusive', () => {
    // Mon 2026-01-05, CET (UTC+1): 20:00 = 19:00Z, 24:00 = 23:00Z
    expect(isSendable(s, T('2026-01-05T19:00:00Z'))).toBe(true);
    expect(isSendable(s, T('2026-01-05T22:59:59.999Z'))).toBe(true);
    expect(isSendable(s, T('2026-01-05T23:00:00Z'))).toBe(false);
    expect(ISO(windowEndAfter(s, T('2026-01-05T22:00:00Z')))).toBe('2026-01-05T23:00:00.000Z');
    expect(ISO(nextSendableInstant(s, T('2026-01-05T23:00:00Z')))).toBe('2026-01-12T19:00:00.000Z');
  });

  it('followed by a 00:00 window the next day: continuous sending, but two windows', () => {
    const s2 = sched('Europe/Berlin', [
      ['00:00', '06:00'],
      ['20:00', '24:00'],
    ]);
    expect(isSendable(s2, T('2026-01-05T23:00:00Z'))).toBe(true);
    expect(nextSendableInstant(s2, T('2026-01-05T23:00:00Z'))).toBe(T('2026-01-05T23:00:00Z'));
    expect(ISO(windowEndAfter(s2, T('2026-01-05T22:00:00Z')))).toBe('2026-01-05T23:00:00.000Z');
    expect(ISO(windowEndAfter(s2, T('2026-01-05T23:00:00Z')))).toBe('2026-01-06T05:00:00.000Z');
  });
});

describe('DST in America/New_York', () => {
  it('spring forward (2026-03-08, 02:00 EST → 03:00 EDT at 07:00Z): a window starting in the gap opens when the gap ends', () => {
    const s = sched('America/New_York', [['02:30', '04:00']], ['sun']);
    expect(ISO(nextSendableInstant(s, T('2026-03-08T05:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(isSendable(s, T('2026-03-08T06:59:59.999Z'))).toBe(false);
    expect(isSendable(s, T('2026-03-08T07:00:00Z'))).toBe(true);
    expect(ISO(windowEndAfter(s, T('2026-03-08T07:00:00Z')))).toBe('2026-03-08T08:00:00.000Z');
    // The next Sunday is an ordinary day: 02:30 EDT = 06:30Z
    expect(ISO(nextSendableInstant(s, T('2026-03-08T08:00:00Z')))).toBe('2026-03-15T06:30:00.000Z');
  });

  it('spring forward: a window across the gap lasts one real hour less', () => {
    const s = sched('America/New_York', [['01:00', '04:00']], ['sun']);
    const start = nextSendableInstant(s, T('2026-03-08T00:00:00Z'))!;
    expect(ISO(start)).toBe('2026-03-08T06:00:00.000Z'); // 01:00 EST
    expect(ISO(windowEndAfter(s, start))).toBe('2026-03-08T08:00:00.000Z'); // 04:00 EDT
  });

  it('spring forward: a window ending inside the gap ends when the gap ends', () => {
    const s = sched('America/New_York', [['01:00', '02:30']], ['sun']);
    expect(ISO(windowEndAfter(s, T('2026-03-08T06:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(isSendable(s, T('2026-03-08T07:00:00Z'))).toBe(false);
  });

  it('spring forward: a window entirely inside the gap does not exist that day', () => {
    const s = sched('America/New_York', [['02:10', '02:50']], ['sun']);
    expect(ISO(nextSendableInstant(s, T('2026-03-08T05:00:00Z')))).toBe('2026-03-15T06:10:00.000Z');
  });

  it('fall back (2026-11-01, 02:00 EDT → 01:00 EST at 06:00Z): the repeated hour is part of the window', () => {
    const s = sched('America/New_York', [['01:00', '02:00']], ['sun']);
    const start = nextSendableInstant(s, T('2026-11-01T00:00:00Z'))!;
    expect(ISO(start)).toBe('2026-11-01T05:00:00.000Z'); // first 01:00 (EDT)
    expect(ISO(windowEndAfter(s, start))).toBe('2026-11-01T07:00:00.000Z'); // 02:00 EST: two real hours
    expect(isSendable(s, T('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
    expect(isSendable(s, T('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isSendable(s, T('2026-11-01T07:00:00Z'))).toBe(false);
  });

  it('fall back: ordinary office hours shift by one hour in UTC', () => {
    const s = sched('America/New_York', [['09:00', '17:00']], WORKDAYS);
    // Fri 2026-10-30 09:00 EDT = 13:00Z; Mon 2026-11-02 09:00 EST = 14:00Z
    expect(ISO(nextSendableInstant(s, T('2026-10-30T12:00:00Z')))).toBe('2026-10-30T13:00:00.000Z');
    expect(ISO(nextSendableInstant(s, T('2026-10-30T21:00:00Z')))).toBe('2026-11-02T14:00:00.000Z');
    expect(ISO(windowEndAfter(s, T('2026-11-02T14:00:00Z')))).toBe('2026-11-02T22:00:00.000Z');
  });
});

describe('DST in Europe/Berlin', () => {
  it('spring forward (2026-03-29, 02:00 CET → 03:00 CEST at 01:00Z)', () => {
    const s = sched('Europe/Berlin', [['02:15', '05:00']], ['sun']);
    expect(ISO(nextSendableInstant(s, T('2026-03-28T23:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(ISO(windowEndAfter(s, T('2026-03-29T01:00:00Z')))).toBe('2026-03-29T03:00:00.000Z');
    // office hours after the change are in CEST (UTC+2)
    const office = sched('Europe/Berlin', [['09:00', '17:00']], WORKDAYS);
    expect(ISO(nextSendableInstant(office, T('2026-03-27T16:00:00Z')))).toBe('2026-03-30T07:00:00.000Z');
  });

  it('fall back (2026-10-25, 03:00 CEST → 02:00 CET at 01:00Z): 02:00–03:00 lasts two real hours', () => {
    const s = sched('Europe/Berlin', [['02:00', '03:00']], ['sun']);
    expect(ISO(nextSendableInstant(s, T('2026-10-24T22:00:00Z')))).toBe('2026-10-25T00:00:00.000Z');
    expect(ISO(windowEndAfter(s, T('2026-10-25T00:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(isSendable(s, T('2026-10-25T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(isSendable(s, T('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET
    expect(isSendable(s, T('2026-10-25T02:00:00Z'))).toBe(false);
  });

  it('fall back: a window ending inside the repeated hour ends at its later occurrence', () => {
    const s = sched('Europe/Berlin', [['01:00', '02:30']], ['sun']);
    // 01:00 CEST = 23:00Z the day before; 02:30 CET = 01:30Z
    expect(ISO(windowEndAfter(s, T('2026-10-24T23:00:00Z')))).toBe('2026-10-25T01:30:00.000Z');
  });
});

describe('Pacific/Chatham (UTC+12:45 / +13:45)', () => {
  const s = sched('Pacific/Chatham', [['09:00', '17:00']], WORKDAYS);

  it('uses +13:45 in the southern summer and +12:45 in winter', () => {
    // Mon 2026-01-05 09:00 +13:45 = Sun 2026-01-04 19:15Z
    expect(ISO(nextSendableInstant(s, T('2026-01-04T10:00:00Z')))).toBe('2026-01-04T19:15:00.000Z');
    expect(ISO(windowEndAfter(s, T('2026-01-04T19:15:00Z')))).toBe('2026-01-05T03:15:00.000Z');
    // Mon 2026-07-06 09:00 +12:45 = Sun 2026-07-05 20:15Z
    expect(ISO(nextSendableInstant(s, T('2026-07-05T10:00:00Z')))).toBe('2026-07-05T20:15:00.000Z');
    // A Sunday 20:00Z is Monday morning there
    expect(isSendable(s, T('2026-07-05T20:15:00Z'))).toBe(true);
    expect(isSendable(s, T('2026-07-05T20:14:59.999Z'))).toBe(false);
  });

  it('DST end (2026-04-05, 03:45 → 02:45): 03:00–04:00 lasts two real hours', () => {
    const d = sched('Pacific/Chatham', [['03:00', '04:00']], ['sun']);
    expect(ISO(nextSendableInstant(d, T('2026-04-04T10:00:00Z')))).toBe('2026-04-04T13:15:00.000Z');
    expect(ISO(windowEndAfter(d, T('2026-04-04T13:15:00Z')))).toBe('2026-04-04T15:15:00.000Z');
  });

  it('DST start (2026-09-27, 02:45 → 03:45): a window starting at 03:00 opens at 03:45', () => {
    const d = sched('Pacific/Chatham', [['03:00', '05:00']], ['sun']);
    const r = nextSendableInstant(d, T('2026-09-26T10:00:00Z'))!;
    expect(ISO(r)).toBe('2026-09-26T14:00:00.000Z');
    expect(localParts('Pacific/Chatham', r)).toMatchObject({ day: 27, hour: 3, minute: 45, weekday: 'sun' });
  });
});

describe('empty and degenerate schedules', () => {
  it('no windows or no weekdays → never sendable, null', () => {
    const t = T('2026-01-06T15:00:00Z');
    expect(nextSendableInstant(sched('UTC', []), t)).toBeNull();
    expect(isSendable(sched('UTC', []), t)).toBe(false);
    expect(nextSendableInstant(sched('UTC', [['09:00', '17:00']], []), t)).toBeNull();
    expect(windowEndAfter(sched('UTC', [['09:00', '17:00']], []), t)).toBeNull();
  });

  it('an always-open schedule returns every instant itself', () => {
    const s = sched('Asia/Kolkata', [['00:00', '24:00']]);
    for (const iso of ['2026-01-01T00:00:00Z', '2026-06-30T18:29:59.999Z', '2026-06-30T18:30:00Z']) {
      expect(nextSendableInstant(s, T(iso))).toBe(T(iso));
    }
  });

  it('an unknown time zone throws; a non-finite instant throws', () => {
    expect(() => isSendable(sched('Mars/Olympus_Mons', [['09:00', '17:00']]), 0)).toThrow(RangeError);
    expect(() => nextSendableInstant(sched('UTC', [['09:00', '17:00']]), Number.NaN)).toThrow(RangeError);
  });

  it('a schedule object mutated in place is re-read', () => {
    const s = sched('UTC', [['09:00', '10:00']]);
    const t = T('2026-01-06T09:30:00Z');
    expect(isSendable(s, t)).toBe(true);
    s.windows[0]!.start = '09:45';
    expect(isSendable(s, t)).toBe(false);
    s.weekdays = ['mon'];
    expect(ISO(nextSendableInstant(s, t))).toBe('2026-01-12T09:45:00.000Z');
  });
});

describe('validateSchedule', () => {
  it('accepts a valid schedule', () => {
    expect(
      validateSchedule(
        sched('America/New_York', [
          ['09:00', '12:00'],
          ['12:00', '17:00'],
          ['20:00', '24:00'],
        ]),
      ),
    ).toEqual([]);
    expect(validateSchedule(sched('UTC', [['00:00', '24:00']], ['sun']))).toEqual([]);
  });

  it('reports every problem with its path', () => {
    const issues = validateSchedule({
      timezone: 'Mars/Olympus_Mons',
      weekdays: ['mon', 'funday', 'mon', 'tue'],
      windows: [
        { start: '09:00', end: '12:00' },
        { start: '11:00', end: '13:00' },
        { start: '24:00', end: '24:00' },
        { start: '9:00', end: '10:00' },
        { start: '14:00', end: '14:00' },
        { start: '15:00', end: '24:01' },
        { start: '16:60', end: '17:00' },
        { start: '18:00', end: '17:00' },
      ],
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual([
      'timezone',
      'weekdays.1',
      'weekdays.2',
      'windows.2.start',
      'windows.3.start',
      'windows.4.end',
      'windows.5.end',
      'windows.6.start',
      'windows.7.end',
      'windows.1',
    ]);
    for (const i of issues) expect(i.message.length).toBeGreaterThan(5);
    expect(issues.find((i) => i.path === 'weekdays.2')!.message).toMatch(/duplicate/);
    expect(issues.find((i) => i.path === 'windows.1')!.message).toMatch(/overlaps windows\.0/);
  });

  it('empty weekdays and windows, wrong types', () => {
    expect(validateSchedule({ timezone: 'UTC', weekdays: [], windows: [] }).map((i) => i.path)).toEqual([
      'weekdays',
      'windows',
    ]);
    expect(validateSchedule({}).map((i) => i.path)).toEqual(['timezone', 'weekdays', 'windows']);
    expect(validateSchedule(null)).toHaveLength(1);
    expect(
      validateSchedule({ timezone: 'UTC', weekdays: [3], windows: [null, { start: 900, end: '10:00' }] }).map(
        (i) => i.path,
      ),
    ).toEqual(['weekdays.0', 'windows.0', 'windows.1.start']);
  });

  it('overlap detection is independent of order, and contained windows overlap', () => {
    const issues = validateSchedule(
      sched('UTC', [
        ['13:00', '14:00'],
        ['08:00', '18:00'],
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual(['windows.1']);
    expect(
      validateSchedule(
        sched('UTC', [
          ['08:00', '18:00'],
          ['09:00', '10:00'],
          ['11:00', '12:00'],
        ]),
      ).map((i) => i.path),
    ).toEqual(['windows.1', 'windows.2']);
  });

  it('time zones: IANA names only', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Pacific/Chatham')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Nowhere')).toBe(false);
    expect(isValidTimeZone('+05:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
  });

  it('parseHHMM', () => {
    expect(parseHHMM('00:00')).toBe(0);
    expect(parseHHMM('23:59')).toBe(1439);
    expect(parseHHMM('24:00')).toBeNull();
    expect(parseHHMM('24:00', true)).toBe(1440);
    expect(parseHHMM('24:01', true)).toBeNull();
    expect(parseHHMM('7:00')).toBeNull();
    expect(parseHHMM('07:00:00')).toBeNull();
    expect(parseHHMM(' 07:00')).toBeNull();
  });
});

describe('property: nextSendableInstant over a year', () => {
  const schedules: [string, Schedule][] = [
    [
      'New York office hours',
      sched(
        'America/New_York',
        [
          ['08:30', '12:00'],
          ['13:00', '17:45'],
        ],
        WORKDAYS,
      ),
    ],
    [
      'Berlin night window across DST hours',
      sched('Europe/Berlin', [['01:30', '03:30']], ['sat', 'sun', 'mon']),
    ],
    [
      'New York small hours',
      sched(
        'America/New_York',
        [
          ['00:15', '01:45'],
          ['02:15', '03:00'],
        ],
        ['sun', 'wed'],
      ),
    ],
    ['Chatham evening to midnight', sched('Pacific/Chatham', [['19:45', '24:00']], ['tue', 'sun'])],
    ['Kolkata short window', sched('Asia/Kolkata', [['10:07', '10:19']], ['thu'])],
  ];
  const yearStart = T('2026-01-01T00:00:00Z');
  const yearMs = 365 * 24 * H;

  for (const [name, s] of schedules) {
    it(name, () => {
      const rng = mulberry32(name.length * 7919);
      let stepped = 0;
      for (let i = 0; i < 400; i++) {
        const t = yearStart + Math.floor(rng() * yearMs);
        const r = nextSendableInstant(s, t);
        expect(r).not.toBeNull();
        const rr = r!;
        expect(rr).toBeGreaterThanOrEqual(t);
        expect(isSendable(s, rr)).toBe(true);
        if (rr > t) expect(isSendable(s, rr - 1)).toBe(false);
        const end = windowEndAfter(s, rr);
        expect(end).not.toBeNull();
        expect(end!).toBeGreaterThan(rr);
        expect(isSendable(s, end! - 1)).toBe(true);
        // For a sample, step minutes: no sendable minute between t and r.
        if (i % 4 === 0) {
          for (let m = t; m < rr; m += MIN) {
            stepped++;
            if (isSendable(s, m)) throw new Error(`sendable at ${ISO(m)} between ${ISO(t)} and ${ISO(rr)}`);
          }
        }
      }
      expect(stepped).toBeGreaterThan(0);
    });
  }

  it('isSendable agrees with a direct wall-clock check where no boundary falls in a DST hour', () => {
    // Boundaries at 00:15, 01:45 (outside Berlin's 02:00–03:00 DST hours), 03:00 and 24:00.
    const s = sched(
      'Europe/Berlin',
      [
        ['00:15', '01:45'],
        ['03:00', '04:30'],
        ['22:00', '24:00'],
      ],
      ['mon', 'sat', 'sun'],
    );
    const days = new Set<Weekday>(s.weekdays);
    const rng = mulberry32(12345);
    for (let i = 0; i < 20_000; i++) {
      const t = yearStart + Math.floor(rng() * yearMs);
      const p = localParts('Europe/Berlin', t);
      const minute = p.hour * 60 + p.minute;
      const expected =
        days.has(p.weekday) &&
        ((minute >= 15 && minute < 105) || (minute >= 180 && minute < 270) || minute >= 1320);
      expect(isSendable(s, t), ISO(t)!).toBe(expected);
    }
  });
});
