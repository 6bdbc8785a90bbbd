/**
 * Email address normalisation for contact imports.
 *
 * Deliberately stricter than RFC 5322: we only accept what a mail server will take in practice
 * as a plain `local@domain` address (dot-atom local part, ASCII hostname domain). Quoted local
 * parts, comments, IP-literal domains and non-ASCII (SMTPUTF8) addresses are rejected; IDN
 * domains are accepted in their punycode (`xn--`) form.
 */

const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

const CODE_DOT = 46;
const CODE_DASH = 45;

/** Characters allowed in a dot-atom local part besides `.` (RFC 5322 `atext`), lower-case only. */
const ATEXT = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-") ATEXT[ch.charCodeAt(0)] = 1;

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === CODE_DASH;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Trims and lower-cases an address; returns `null` when it is not a usable address.
 * Accepts `+tags`, subdomains and punycode domains; rejects empty input, a missing or repeated
 * `@`, whitespace or control characters inside, leading/trailing/double dots in the local part,
 * a domain without a dot, empty labels (`a@b.c.`), labels with invalid characters or starting or
 * ending with `-`, an all-numeric top-level label, a local part over 64 or a total over 254 chars.
 */
export function normalizeEmail(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim().toLowerCase();
  const len = s.length;
  if (len < 3 || len > MAX_EMAIL) return null;
  const at = s.indexOf('@');
  if (at <= 0 || at > MAX_LOCAL || at !== s.lastIndexOf('@')) return null;

  // Local part: dot-atom.
  let prevDot = true; // a leading dot is an error, as after a dot
  for (let i = 0; i < at; i++) {
    const c = s.charCodeAt(i);
    if (c === CODE_DOT) {
      if (prevDot) return null;
      prevDot = true;
    } else if (c < 128 && ATEXT[c] === 1) {
      prevDot = false;
    } else {
      return null;
    }
  }
  if (prevDot) return null; // trailing dot

  // Domain: at least two LDH labels of 1..63 chars, no leading/trailing hyphen.
  const domainLen = len - at - 1;
  if (domainLen < 3 || domainLen > MAX_DOMAIN) return null;
  let labels = 0;
  let labelStart = at + 1;
  let allDigits = true;
  for (let i = at + 1; i <= len; i++) {
    const c = i === len ? CODE_DOT : s.charCodeAt(i);
    if (c === CODE_DOT) {
      const labelLen = i - labelStart;
      if (labelLen === 0 || labelLen > MAX_LABEL) return null;
      if (s.charCodeAt(labelStart) === CODE_DASH || s.charCodeAt(i - 1) === CODE_DASH) return null;
      labels++;
      if (i === len && allDigits) return null; // top-level label must not be numeric (no bare IPs)
      labelStart = i + 1;
      allDigits = true;
    } else if (isLabelChar(c)) {
      if (!isDigit(c)) allDigits = false;
    } else {
      return null;
    }
  }
  if (labels < 2) return null;
  return s;
}

/** Whether `raw` normalises to a valid address. */
export function isValidEmail(raw: unknown): boolean {
  return normalizeEmail(raw) !== null;
}

/** The lower-cased domain part of an address (after the last `@`); `''` when there is no `@`. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
}
