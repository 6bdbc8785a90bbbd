import { describe, expect, it } from 'vitest';
import { findReturnDate } from '../../../src/domain/inbox/ooo-date';

const sent = '2026-12-01T09:30:00.000Z';

describe('out-of-office return date', () => {
  it.each([
    ['I am out of the office until December 14 and back on December 15th.', '2026-12-15'],
    ['Back on Monday, Dec 7, 2026.', '2026-12-07'],
    ['I will return on 2026-12-09.', '2026-12-09'],
    ['Out until 12/18/2026.', '2026-12-18'],
    ['Ich bin bis zum 18.12.2026 nicht im Büro.', '2026-12-18'],
    ['Ab dem 21.12. bin ich wieder erreichbar.', '2026-12-21'],
    ['Je serai de retour le 4 janvier.', '2027-01-04'],
    ["Absente jusqu'au 11/12/2026.", '2026-12-11'],
    ['Estaré fuera hasta el 10 de diciembre de 2026.', '2026-12-10'],
    ['Rientrerò il 7 gennaio.', '2027-01-07'],
    ['Ik ben terug op 3 december.', '2026-12-03'],
    ['12月20日まで不在にしております。', '2026-12-20'],
  ])('%s → %s', (text, want) => {
    expect(findReturnDate(text, sent, [])).toBe(want);
  });

  it('a year-less date already past is next year; dates before the message or far ahead are ignored', () => {
    expect(findReturnDate('Back on January 11.', sent, [])).toBe('2027-01-11');
    expect(findReturnDate('I was away from 2026-11-01.', sent, [])).toBeNull();
    expect(findReturnDate('Back on 2029-01-01.', sent, [])).toBeNull();
  });

  it('no date, or no message date for a year-less one: null, with the reason', () => {
    const reasons: string[] = [];
    expect(findReturnDate('I am away with no access to email.', sent, reasons)).toBeNull();
    expect(reasons).toContain('no return date found');
    expect(findReturnDate('Back on January 11.', null, [])).toBeNull();
    expect(findReturnDate('Back on 2027-01-11.', null, [])).toBe('2027-01-11');
  });
});
