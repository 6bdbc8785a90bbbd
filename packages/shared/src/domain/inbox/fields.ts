/**
 * RFC 822-style field blocks ("Name: value" lines, folded continuation lines, blocks separated by
 * blank lines): the shape of header sections, `message/delivery-status` and
 * `message/feedback-report` parts alike.
 */

/** Splits text into blocks of fields; names lower-cased, folded values unfolded, repeats joined by "\n". */
export function parseFieldBlocks(text: string): Record<string, string>[] {
  const blocks: Record<string, string>[] = [];
  let block: Record<string, string> = {};
  let last: string | null = null;
  let any = false;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (any) blocks.push(block);
      block = {};
      last = null;
      any = false;
      continue;
    }
    if (/^[ \t]/.test(line) && last !== null) {
      block[last] = `${block[last]} ${line.trim()}`;
      continue;
    }
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    block[name] = block[name] !== undefined ? `${block[name]}\n${value}` : value;
    last = name;
    any = true;
  }
  if (any) blocks.push(block);
  return blocks;
}

/** The header section of a raw message (everything before the first blank line) as one field map. */
export function parseHeaderSection(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  return parseFieldBlocks(end === -1 ? raw : raw.slice(0, end))[0] ?? {};
}

/** `rfc822; a@b` → `a@b`; `dns; mx.example` → `mx.example`; `smtp; 550 …` → `550 …`. */
export function stripTypePrefix(value: string | undefined): string | null {
  if (value === undefined) return null;
  const v = value.replace(/^[a-z0-9-]+\s*;\s*/i, '').trim();
  return v === '' ? null : v;
}

/** The first `addr@host` in a value (angle brackets and display names dropped), lower-cased. */
export function firstAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /[^\s<>"'(),;:[\]@]{1,64}@[^\s<>"'(),;:[\]@]{1,255}\.[a-z0-9-]+/i.exec(value);
  return m ? m[0].toLowerCase().replace(/\.$/, '') : null;
}
