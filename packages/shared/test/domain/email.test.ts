import { describe, expect, it } from 'vitest';
import { emailDomain, isValidEmail, normalizeEmail } from '../../src/domain/email';

describe('normalizeEmail', () => {
  it.each([
    ['sarah@acme.com', 'sarah@acme.com'],
    ['  Sarah@ACME.com \t', 'sarah@acme.com'],
    ['MIKE@BigCo.IO', 'mike@bigco.io'],
    ['first.last@example.com', 'first.last@example.com'],
    ['user+tag@example.com', 'user+tag@example.com'],
    ['user+tag+more@sub.mail.example.co.uk', 'user+tag+more@sub.mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a_b-c=d#e$f%g&h*i/j?k^l`m{n|o}p~q!r@example.org', 'a_b-c=d#e$f%g&h*i/j?k^l`m{n|o}p~q!r@example.org'],
    ['x@a.b.c.d.e.f', 'x@a.b.c.d.e.f'],
    ['user@xn--mller-kva.de', 'user@xn--mller-kva.de'],
    ['user@example.xn--p1ai', 'user@example.xn--p1ai'],
    ['user@my-company.com', 'user@my-company.com'],
    ['1234@123.example.com', '1234@123.example.com'],
    ['a@b.co', 'a@b.co'],
    ['a@b.c', 'a@b.c'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('accepts %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
    expect(isValidEmail(raw)).toBe(true);
  });

  const longDomain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.com`; // 248 chars
  it.each([
    [''],
    ['   '],
    ['plainaddress'],
    ['a@'],
    ['@b.c'],
    ['@'],
    ['a b@c.d'],
    ['a@b c.d'],
    ['a@b.c.'],
    ['a@.b.c'],
    ['a@b..c'],
    ['.a@b.co'],
    ['a.@b.co'],
    ['a..b@c.co'],
    ['a@localhost'],
    ['a@b@c.co'],
    ['a@-b.co'],
    ['a@b-.co'],
    ['a@b.co-'],
    ['a@b_c.co'],
    ['a@b!.co'],
    ['a@[127.0.0.1]'],
    ['a@127.0.0.1'],
    ['"quoted"@example.com'],
    ['a(comment)@example.com'],
    ['a,b@example.com'],
    ['a;b@example.com'],
    ['a<b>@example.com'],
    ['a\\b@example.com'],
    ['jos\u00e9@example.com'],
    ['user@m\u00fcller.de'],
    ['a\u0000b@example.com'],
    ['a\nb@example.com'],
    ['a@exa\tmple.com'],
    ['a\u007fb@example.com'],
    ['Sarah Chen <sarah@acme.com>'],
    [`${'a'.repeat(65)}@example.com`],
    [`a@${'b'.repeat(64)}.com`],
    [`${'a'.repeat(10)}@${longDomain}`], // 259 chars total
  ])('rejects %j', (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
    expect(isValidEmail(raw)).toBe(false);
  });

  it('enforces the 254-char total limit', () => {
    const domain = `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.com`; // 195
    const ok = `${'a'.repeat(58)}@${domain}`; // 254
    expect(ok.length).toBe(254);
    expect(normalizeEmail(ok)).toBe(ok);
    expect(normalizeEmail(`${'a'.repeat(59)}@${domain}`)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail(undefined)).toBeNull();
    expect(normalizeEmail(42)).toBeNull();
  });
});

describe('emailDomain', () => {
  it('returns the lower-cased domain', () => {
    expect(emailDomain('sarah@acme.com')).toBe('acme.com');
    expect(emailDomain('Mike@BigCo.IO')).toBe('bigco.io');
    expect(emailDomain('a@sub.example.co.uk')).toBe('sub.example.co.uk');
    expect(emailDomain('nodomain')).toBe('');
  });
});
