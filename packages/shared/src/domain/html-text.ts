import { decodeHTML } from 'entities';

/**
 * Small HTML → plain-text conversion for the text/plain part of outgoing mail.
 *
 * Rules:
 * - `<br>` → newline; `<p>`, `<div>`, headings, `<blockquote>`, `<table>`, `<pre>`, `<hr>` and lists are
 *   separated from their surroundings by a blank line; `<li>` items go on their own line with a `- `
 *   (or `1. ` in `<ol>`) prefix; `<tr>` ends a line, table cells are separated by a space.
 * - `<a href="x">label</a>` → `label (x)` when the label and the address differ (a `mailto:` address
 *   equal to the label counts as the same; `#fragment` and `javascript:` addresses are dropped).
 * - every other tag is stripped; `<style>`, `<script>`, `<head>`, `<title>`, `<template>` contents,
 *   comments, doctype and processing instructions are dropped.
 * - entities are decoded by the `entities` package (every HTML5 name, decimal, hex); whitespace is collapsed
 *   (except inside `<pre>`), lines are right-trimmed, at most one blank line in a row, result trimmed.
 */

/**
 * Decodes HTML character references the way browsers do, in one pass (`&amp;lt;` → `&lt;`): every
 * HTML5 named reference (`&eacute;`), decimal (`&#233;`) and hex (`&#xE9;`); unknown names are kept.
 */
export function decodeEntities(s: string): string {
  return s.includes('&') ? decodeHTML(s) : s;
}

const HREF_RE = /(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
/** Elements whose content is never shown (their content may contain `<`). */
const DROP_CONTENT = new Set(['script', 'style', 'head', 'title', 'template']);

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isNameChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 45 || c === 58;

type ScannedTag = { closing: boolean; name: string; attrs: string; end: number };

/**
 * Scans a tag starting at `src[i] === '<'`. Returns null when `<` does not start a tag (literal text),
 * 'eof' when the tag never ends (dropped, as browsers do). Linear: no backtracking.
 */
function scanTag(src: string, i: number): ScannedTag | null | 'eof' {
  let j = i + 1;
  const closing = src.charCodeAt(j) === 47; // '/'
  if (closing) j++;
  if (!isLetter(src.charCodeAt(j))) return null;
  const nameStart = j;
  while (j < src.length && isNameChar(src.charCodeAt(j))) j++;
  const name = src.slice(nameStart, j).toLowerCase();
  const attrStart = j;
  while (j < src.length) {
    const c = src[j];
    if (c === '>') return { closing, name, attrs: src.slice(attrStart, j), end: j + 1 };
    if (c === '"' || c === "'") {
      const q = src.indexOf(c, j + 1);
      if (q < 0) return 'eof';
      j = q + 1;
    } else {
      j++;
    }
  }
  return 'eof';
}

const BLOCK_BLANK_LINE = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'table',
  'pre',
  'hr',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'nav',
  'aside',
  'address',
  'figure',
  'form',
  'fieldset',
  'dl',
  'center',
]);
const BLOCK_LINE = new Set(['tr', 'dt', 'dd', 'caption']);

interface ListState {
  ordered: boolean;
  n: number;
}
interface LinkState {
  href: string | null;
  start: number;
}

export function htmlToText(html: string | null | undefined): string {
  if (!html) return '';
  const src = html;

  // Output as a list of non-empty chunks (appending to one big string and then reading its last characters
  // would flatten V8's rope on every tag: quadratic).
  const parts: string[] = [];
  let preDepth = 0;
  const lists: ListState[] = [];
  const links: LinkState[] = [];

  const push = (s: string) => {
    if (s) parts.push(s);
  };
  const lastChar = () => {
    const last = parts[parts.length - 1];
    return last === undefined ? '' : last.charAt(last.length - 1);
  };
  const trimTrailingSpaces = () => {
    while (parts.length > 0) {
      const last = parts[parts.length - 1]!;
      let end = last.length;
      while (end > 0 && (last[end - 1] === ' ' || last[end - 1] === '\t')) end--;
      if (end === last.length) return;
      if (end > 0) {
        parts[parts.length - 1] = last.slice(0, end);
        return;
      }
      parts.pop();
    }
  };
  const trailingNewlines = (max: number) => {
    let have = 0;
    for (let p = parts.length - 1; p >= 0 && have < max; p--) {
      const part = parts[p]!;
      let i = part.length - 1;
      while (i >= 0 && part[i] === '\n' && have < max) {
        have++;
        i--;
      }
      if (i >= 0) break;
    }
    return have;
  };
  /** Makes sure the output ends with at least `n` newlines (no-op at the very start). */
  const ensureNewlines = (n: number) => {
    trimTrailingSpaces();
    if (parts.length === 0) return;
    const have = trailingNewlines(n);
    if (have < n) push('\n'.repeat(n - have));
  };
  const atLineStart = () => parts.length === 0 || lastChar() === '\n';

  const emitText = (raw: string) => {
    if (!raw) return;
    if (preDepth > 0) {
      push(decodeEntities(raw).replace(/\r\n?/g, '\n'));
      return;
    }
    let text = decodeEntities(raw.replace(/[ \t\n\r\f]+/g, ' ')).replace(/[\r\n]+/g, ' ');
    if (atLineStart() || lastChar() === ' ') text = text.replace(/^ +/, '');
    push(text);
  };

  const listIndent = () => '  '.repeat(Math.min(8, Math.max(0, lists.length - 1)));

  const handleTag = (closing: boolean, name: string, attrs: string) => {
    if (name === 'br') {
      trimTrailingSpaces();
      if (parts.length > 0) push('\n');
      return;
    }
    if (name === 'a') {
      if (!closing) {
        const m = HREF_RE.exec(attrs);
        const href = m ? decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim()) : '';
        links.push({ href: href || null, start: parts.length });
      } else {
        const link = links.pop();
        if (!link?.href) return;
        const label = parts.slice(link.start).join('').replace(/\s+/g, ' ').trim();
        const href = link.href;
        if (/^(?:#|javascript:)/i.test(href)) return;
        const sameAsLabel =
          href === label ||
          (/^mailto:/i.test(href) && href.slice(7).split('?')[0] === label) ||
          (/^tel:/i.test(href) && href.slice(4) === label);
        if (sameAsLabel) return;
        trimTrailingSpaces();
        push(label ? ` (${href})` : href);
      }
      return;
    }
    if (name === 'ul' || name === 'ol') {
      if (!closing) {
        ensureNewlines(lists.length === 0 ? 2 : 1);
        lists.push({ ordered: name === 'ol', n: 0 });
      } else {
        lists.pop();
        ensureNewlines(lists.length === 0 ? 2 : 1);
      }
      return;
    }
    if (name === 'li') {
      ensureNewlines(1);
      if (!closing) {
        const list = lists[lists.length - 1];
        let bullet = '- ';
        if (list?.ordered) {
          list.n += 1;
          bullet = `${list.n}. `;
        }
        push(listIndent() + bullet);
      }
      return;
    }
    if (name === 'td' || name === 'th') {
      if (closing && !atLineStart() && lastChar() !== ' ') push(' ');
      return;
    }
    if (BLOCK_BLANK_LINE.has(name)) {
      ensureNewlines(2);
      if (name === 'pre') preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
      return;
    }
    if (BLOCK_LINE.has(name)) {
      ensureNewlines(1);
    }
    // Every other tag is stripped.
  };

  const n = src.length;
  let i = 0;
  while (i < n) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      emitText(src.slice(i));
      break;
    }
    emitText(src.slice(i, lt));
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const next = src[i + 1];
    if (next === '!' || next === '?') {
      // <!doctype>, <![CDATA[...]]>, <?xml ...?>
      const end = src.indexOf('>', i + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const tag = scanTag(src, i);
    if (tag === 'eof') break;
    if (tag === null) {
      emitText('<');
      i += 1;
      continue;
    }
    i = tag.end;
    if (!tag.closing && DROP_CONTENT.has(tag.name)) {
      const closeRe = new RegExp(`</${tag.name}(?![a-zA-Z0-9:-])`, 'gi');
      closeRe.lastIndex = i;
      const close = closeRe.exec(src);
      if (!close) break;
      const end = src.indexOf('>', close.index);
      i = end < 0 ? n : end + 1;
      continue;
    }
    handleTag(tag.closing, tag.name, tag.attrs);
  }

  return parts
    .join('')
    .replace(/[ \t\u00a0]+$/gm, '')
    .replace(/\u00a0/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\s+$/g, '');
}
