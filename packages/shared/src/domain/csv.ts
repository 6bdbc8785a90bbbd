/**
 * Streaming CSV reading for contact imports, built on papaparse's core parser.
 *
 * Text is fed to `Papa.Parser` in pieces of at most 64K chars; each call parses the carried-over
 * incomplete last row plus the new piece with `ignoreLastRow`, and papaparse's cursor tells
 * where the incomplete row starts (the same mechanism papaparse's own chunk streamers use).
 * Memory stays bounded by one piece, one row (≤ `maxLineBytes`) and one batch of rows.
 *
 * Semantics (shared by {@link readCsv}, {@link readCsvRows}, {@link parseCsvText}):
 * - UTF-8, a leading BOM is dropped; bytes are decoded with a streaming `TextDecoder`, so chunk
 *   boundaries may fall anywhere, even inside a multi-byte character.
 * - Line endings CRLF, LF and CR (also mixed) are all accepted; they are normalised to `\n`,
 *   including inside quoted fields.
 * - Delimiter `,`, `;` or tab, chosen from the first non-blank line (the most frequent one
 *   outside quotes; ties → `,` then `;` then tab).
 * - Quoted fields may contain delimiters, doubled quotes (`""`) and newlines.
 * - Blank rows (every cell empty or whitespace) are skipped, anywhere in the file.
 * - The first non-blank row is the header; its cells are trimmed, and a repeated name is kept
 *   under a numbered one (`x,x` → `x`, `x_2`; see {@link uniqueHeaders}), so no column is lost. Data rows shorter than the
 *   header are padded with `''`; longer rows keep their extra cells. Data cells are not trimmed.
 * - Errors are {@link CsvError}s: `empty_file` (no bytes or only whitespace), `binary_file`
 *   (NUL characters, or more than 10% invalid UTF-8 / control characters in the first 64K
 *   chars), `line_too_long` (a row, quoted newlines included, over `maxLineBytes` UTF-8 bytes;
 *   detected as soon as the incomplete row passes the limit), `no_header` (only blank rows, or a
 *   first row that contains an email address and so is data, not a header).
 */
import Papa from 'papaparse';
import { normalizeEmail } from './email';

export type CsvErrorCode = 'empty_file' | 'binary_file' | 'line_too_long' | 'no_header';

export class CsvError extends Error {
  override readonly name = 'CsvError';
  readonly code: CsvErrorCode;
  /** 1-based record number (header = 1, blank rows counted) for `line_too_long`. */
  readonly row: number | undefined;
  constructor(code: CsvErrorCode, message: string, row?: number) {
    super(message);
    this.code = code;
    this.row = row;
  }
}

export type CsvDelimiter = ',' | ';' | '\t';
const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

export interface CsvOptions {
  /** Longest accepted row in UTF-8 bytes (default 1 MiB). */
  maxLineBytes?: number;
}

export interface CsvReadOptions extends CsvOptions {
  /** Most rows per yielded batch (default 1,000). */
  batchSize?: number;
}

export interface CsvBatch {
  header: string[];
  delimiter: CsvDelimiter;
  /** Data rows (header excluded); may be empty only in the single batch of a header-only file. */
  rows: string[][];
}

export interface CsvParseResult {
  header: string[];
  delimiter: CsvDelimiter;
  rows: string[][];
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_BATCH_SIZE = 1000;
const PIECE_CHARS = 64 * 1024;
const SNIFF_CHARS = 64 * 1024;
const BINARY_RATIO = 0.1;

interface PapaChunkResult {
  data: string[][];
  meta: { cursor: number };
}

function looksBinary(sample: string): boolean {
  if (sample.indexOf('\u0000') !== -1) return true;
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    // U+FFFD = undecodable bytes; C0 controls other than \t \n \f \r, and DEL.
    if (c === 0xfffd || c === 127 || (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13)) bad++;
  }
  return bad > sample.length * BINARY_RATIO;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function isBlankRow(row: readonly string[]): boolean {
  for (const cell of row) {
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }
  return true;
}

/**
 * Incremental CSV parser: push decoded text with {@link write}, finish with {@link end}; both
 * return the data rows completed so far (header excluded, available as {@link header} once seen).
 * Not tied to any I/O, so it can run in a worker thread as well.
 */
export class CsvStreamParser {
  header: string[] | null = null;
  delimiter: CsvDelimiter | null = null;

  private readonly maxLineBytes: number;
  private readonly pieceChars: number;
  private started = false;
  private lastWasCR = false;
  private sniffed = false;
  private sniffBuf = '';
  private sawContent = false;
  private headerBuf = '';
  private parser: Papa.Parser | null = null;
  private pending = '';
  private carry = '';
  private records = 0;
  private ended = false;

  constructor(opts: CsvOptions = {}) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isFinite(max) || max < 1) throw new RangeError('maxLineBytes must be a positive number');
    this.maxLineBytes = Math.floor(max);
    // A piece of n chars is at most 3n UTF-8 bytes: rows that lie entirely inside one piece can
    // then never exceed the limit, and only rows continuing a carried-over row need measuring.
    this.pieceChars = Math.max(1, Math.min(PIECE_CHARS, Math.floor(this.maxLineBytes / 3)));
  }

  /** Feeds decoded text; returns the data rows completed by it. */
  write(text: string): string[][] {
    if (this.ended) throw new Error('CsvStreamParser: write after end');
    const out: string[][] = [];
    if (text.length === 0) return out;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    text = this.normalizeNewlines(text);
    if (!this.sniffed) {
      this.sniffBuf += text;
      if (this.sniffBuf.length < SNIFF_CHARS) return out;
      text = this.sniff();
    }
    this.ingest(text, false, out);
    return out;
  }

  /** Flushes the last row and validates the file as a whole; returns the remaining data rows. */
  end(): string[][] {
    if (this.ended) return [];
    this.ended = true;
    const out: string[][] = [];
    const rest = this.sniffed ? '' : this.sniff();
    this.ingest(rest, true, out);
    if (this.header === null) {
      if (!this.sawContent) throw new CsvError('empty_file', 'the file is empty');
      throw new CsvError('no_header', 'the file has no header row');
    }
    return out;
  }

  private normalizeNewlines(text: string): string {
    if (this.lastWasCR && text.charCodeAt(0) === 10) text = text.slice(1);
    if (text.length === 0) return text;
    this.lastWasCR = text.charCodeAt(text.length - 1) === 13;
    return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  }

  private sniff(): string {
    const buf = this.sniffBuf;
    this.sniffBuf = '';
    this.sniffed = true;
    if (looksBinary(buf.length > SNIFF_CHARS ? buf.slice(0, SNIFF_CHARS) : buf)) {
      throw new CsvError('binary_file', 'the file is not UTF-8 text (binary content)');
    }
    return buf;
  }

  private ingest(text: string, final: boolean, out: string[][]): void {
    if (!this.sawContent && text.length > 0 && /\S/.test(text)) this.sawContent = true;
    if (this.parser === null) {
      this.headerBuf += text;
      const delimiter = this.detectDelimiter(final);
      if (delimiter === null) return;
      this.delimiter = delimiter;
      this.parser = new Papa.Parser({ delimiter, newline: '\n' });
      text = this.headerBuf;
      this.headerBuf = '';
    }
    if (text.length > 0) this.pending = this.pending.length === 0 ? text : this.pending + text;
    while (this.pending.length >= this.pieceChars) {
      const piece = this.pending.slice(0, this.pieceChars);
      this.pending = this.pending.slice(this.pieceChars);
      this.parsePiece(piece, false, out);
    }
    if (final) {
      const piece = this.pending;
      this.pending = '';
      if (piece.length > 0 || this.carry.length > 0) this.parsePiece(piece, true, out);
    }
  }

  /**
   * Picks the delimiter from the first non-whitespace line of `headerBuf` (quote-aware), dropping
   * whitespace-only lines before it (they would be skipped as blank rows anyway).
   * Returns null while that line is still incomplete.
   */
  private detectDelimiter(final: boolean): CsvDelimiter | null {
    for (;;) {
      const buf = this.headerBuf;
      let inQuotes = false;
      let commas = 0;
      let semicolons = 0;
      let tabs = 0;
      let end = -1;
      for (let i = 0; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (c === 34) inQuotes = !inQuotes;
        else if (inQuotes) continue;
        else if (c === 10) {
          end = i;
          break;
        } else if (c === 44) commas++;
        else if (c === 59) semicolons++;
        else if (c === 9) tabs++;
      }
      if (end === -1 && !final) {
        if (buf.length * 3 > this.maxLineBytes && utf8Length(buf) > this.maxLineBytes) {
          if (/\S/.test(buf)) throw this.tooLong(this.records + 1);
          // A huge whitespace-only prefix of a line: it can only be a blank row.
          this.headerBuf = '';
        }
        return null;
      }
      if (end !== -1 && !/\S/.test(buf.slice(0, end))) {
        this.headerBuf = buf.slice(end + 1);
        this.records++;
        continue;
      }
      const counts = [commas, semicolons, tabs];
      let best = 0;
      for (let d = 1; d < counts.length; d++) if (counts[d]! > counts[best]!) best = d;
      return DELIMITERS[best]!;
    }
  }

  private parsePiece(piece: string, final: boolean, out: string[][]): void {
    const parser = this.parser!;
    const prevCarry = this.carry;
    const input = prevCarry.length === 0 ? piece : prevCarry + piece;
    const res = parser.parse(input, 0, !final) as PapaChunkResult;
    const rows = res.data;
    const max = this.maxLineBytes;

    // The only completed row that may exceed the limit is one continuing the carried-over row.
    if (rows.length > 0 && prevCarry.length > 0 && input.length * 3 > max) {
      const end = this.firstRowEnd(input, final);
      const rowChars = end > 0 && input.charCodeAt(end - 1) === 10 ? end - 1 : end;
      if (rowChars > max || (rowChars * 3 > max && utf8Length(input.slice(0, rowChars)) > max)) {
        throw this.tooLong(this.records + 1);
      }
    }
    if (final) {
      this.carry = '';
    } else {
      const cursor = res.meta.cursor;
      const carry = cursor >= input.length ? '' : input.slice(cursor);
      if (carry.length > max || (carry.length * 3 > max && utf8Length(carry) > max)) {
        throw this.tooLong(this.records + rows.length + 1);
      }
      this.carry = carry;
    }

    let width = this.header === null ? 0 : this.header.length;
    for (const row of rows) {
      this.records++;
      if (isBlankRow(row)) continue;
      if (this.header === null) {
        this.setHeader(row);
        width = row.length;
        continue;
      }
      while (row.length < width) row.push('');
      out.push(row);
    }
  }

  /** Char offset just past the first row of `input` (its newline included). */
  private firstRowEnd(input: string, final: boolean): number {
    let end = input.length;
    const probe: Papa.Parser = new Papa.Parser({
      delimiter: this.delimiter!,
      newline: '\n',
      step: (r: { meta: { cursor: number } }) => {
        end = r.meta.cursor;
        probe.abort();
      },
    });
    probe.parse(input, 0, !final);
    return end;
  }

  private tooLong(row: number): CsvError {
    return new CsvError('line_too_long', `row ${row} is longer than ${this.maxLineBytes} bytes`, row);
  }

  private setHeader(row: string[]): void {
    const header = uniqueHeaders(row.map((c) => c.trim()));
    if (header.some((c) => c.includes('@') && normalizeEmail(c) !== null)) {
      throw new CsvError('no_header', 'the first row contains an email address: the file has no header row');
    }
    this.header = header;
  }
}

/** Parses a whole CSV string (small inputs: sync import, tests) with the streaming semantics. */
export function parseCsvText(text: string, opts: CsvOptions = {}): CsvParseResult {
  const parser = new CsvStreamParser(opts);
  const rows = parser.write(text);
  for (const row of parser.end()) rows.push(row);
  return { header: parser.header!, delimiter: parser.delimiter!, rows };
}

/**
 * Reads CSV from a byte or text stream (a Node `Readable`, a web `ReadableStream`, any async
 * iterable) and yields batches of at most `batchSize` data rows with the header. Always yields
 * at least one batch (a header-only file yields one batch with no rows). Stopping iteration
 * early returns the source iterator (closing a file stream).
 */
export async function* readCsv(
  source: AsyncIterable<Uint8Array | string>,
  opts: CsvReadOptions = {},
): AsyncGenerator<CsvBatch, void, undefined> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const parser = new CsvStreamParser(opts);
  const decoder = new TextDecoder('utf-8');
  let batch: string[][] = [];
  let yielded = false;

  for await (const chunk of source) {
    const text =
      typeof chunk === 'string' ? decoder.decode() + chunk : decoder.decode(chunk, { stream: true });
    const rows = parser.write(text);
    for (const row of rows) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield { header: parser.header!, delimiter: parser.delimiter!, rows: batch };
        yielded = true;
        batch = [];
      }
    }
  }
  const rows = parser.write(decoder.decode());
  for (const row of parser.end()) rows.push(row);
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= batchSize) {
      yield { header: parser.header!, delimiter: parser.delimiter!, rows: batch };
      yielded = true;
      batch = [];
    }
  }
  if (batch.length > 0 || !yielded)
    yield { header: parser.header!, delimiter: parser.delimiter!, rows: batch };
}

/**
 * Like {@link readCsv} but yields plain row batches: the header row is the first row of the first
 * batch (so a header-only file yields `[[...header]]`).
 */
export async function* readCsvRows(
  source: AsyncIterable<Uint8Array | string>,
  opts: CsvReadOptions = {},
): AsyncGenerator<string[][], void, undefined> {
  let first = true;
  for await (const batch of readCsv(source, opts)) {
    if (first) {
      first = false;
      yield [batch.header, ...batch.rows];
    } else {
      yield batch.rows;
    }
  }
}

/**
 * Header names made distinct: the second `x` becomes `x_2`, the third `x_3`, skipping names the
 * header already has (`x,x,x_2` → `x`, `x_3`, `x_2`). Blank names stay blank (mapping skips them).
 */
export function uniqueHeaders(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (name === '' || !seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`)) n++;
    const renamed = `${name}_${n}`;
    taken.add(renamed);
    seen.add(renamed);
    return renamed;
  });
}
