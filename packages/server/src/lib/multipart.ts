/**
 * A streaming multipart/form-data reader: yields each part's headers, then its bytes as they
 * arrive, so a large upload never sits whole in memory (Hono's `parseBody()` buffers it).
 */
import { AppError } from '@outreach/shared';

export type MultipartToken =
  | { type: 'part'; name: string; filename: string | null; contentType: string | null }
  | { type: 'data'; chunk: Uint8Array }
  | { type: 'end' };

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a `multipart/form-data` content type, or null. */
export function multipartBoundary(contentType: string | null | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function bad(message: string): AppError {
  return new AppError('bad_request', `Malformed multipart body: ${message}`);
}

function parseHeaders(block: string): { name: string; filename: string | null; contentType: string | null } {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      const n = /(?:^|;)\s*name="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /(?:^|;)\s*name=([^;\s]+)/i.exec(value);
      const f =
        /(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /(?:^|;)\s*filename=([^;\s]+)/i.exec(value);
      name = n ? n[1]! : null;
      filename = f ? f[1]! : null;
    } else if (key === 'content-type') {
      contentType = value;
    }
  }
  if (name === null) throw bad('a part has no content-disposition name');
  return { name, filename, contentType };
}

/**
 * The multipart state machine, fed chunk by chunk (push): `push()` and `finish()` yield the
 * tokens the bytes so far complete. A `data` token's chunk is a view that stays valid after
 * later pushes. Throws 400 on a malformed body.
 */
export class MultipartParser {
  private readonly dash: Buffer;
  private readonly delim: Buffer;
  private buf: Buffer = Buffer.alloc(0);
  private state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';

  constructor(boundary: string) {
    this.dash = Buffer.from(`--${boundary}`);
    this.delim = Buffer.from(`\r\n--${boundary}`);
  }

  /** The next bytes of the body. */
  *push(chunk: Uint8Array): Generator<MultipartToken> {
    if (this.state === 'done') return; // epilogue
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buf = this.buf.length === 0 ? view : Buffer.concat([this.buf, view]);
    yield* this.step(false);
  }

  /** The body has ended: the last tokens, or 400 when it ends before the closing delimiter. */
  *finish(): Generator<MultipartToken> {
    yield* this.step(true);
    if (this.state !== 'done') throw bad('no closing boundary');
  }

  private *step(final: boolean): Generator<MultipartToken> {
    const { dash, delim } = this;
    for (;;) {
      if (this.state === 'preamble') {
        const i = this.buf.indexOf(dash);
        if (i === -1) {
          if (this.buf.length > dash.length) this.buf = this.buf.subarray(this.buf.length - dash.length);
          return;
        }
        this.buf = this.buf.subarray(i + dash.length);
        this.state = 'after-boundary';
      } else if (this.state === 'after-boundary') {
        if (this.buf.length < 2) return;
        if (this.buf[0] === 45 && this.buf[1] === 45) {
          this.state = 'done';
          yield { type: 'end' };
          return;
        }
        // Transport padding then CRLF.
        const i = this.buf.indexOf(CRLF);
        if (i === -1) {
          if (this.buf.length > 1024) throw bad('no line break after a boundary');
          return;
        }
        this.buf = this.buf.subarray(i + 2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        const i = this.buf.indexOf(HEADER_END);
        if (i === -1) {
          if (this.buf.length > MAX_HEADER_BYTES) throw bad('part headers too long');
          // A part without headers starts with the blank line directly.
          if (this.buf.length >= 2 && this.buf[0] === 13 && this.buf[1] === 10)
            throw bad('a part has no headers');
          return;
        }
        const headers = parseHeaders(this.buf.subarray(0, i).toString('utf8'));
        this.buf = this.buf.subarray(i + 4);
        this.state = 'body';
        yield { type: 'part', ...headers };
      } else if (this.state === 'body') {
        const i = this.buf.indexOf(delim);
        if (i === -1) {
          // Keep what could be the start of the delimiter.
          const keep = delim.length - 1;
          if (this.buf.length > keep) {
            const out = this.buf.subarray(0, this.buf.length - keep);
            this.buf = this.buf.subarray(this.buf.length - keep);
            yield { type: 'data', chunk: out };
          }
          if (final) throw bad('the body ends inside a part');
          return;
        }
        if (i > 0) yield { type: 'data', chunk: this.buf.subarray(0, i) };
        this.buf = this.buf.subarray(i + delim.length);
        this.state = 'after-boundary';
      } else {
        return;
      }
    }
  }
}

/**
 * Reads `source` as multipart with `boundary`: a `part` token, its `data` tokens, and so on; an
 * `end` token after the closing delimiter. Throws 400 on a malformed body.
 */
export async function* readMultipart(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartToken> {
  const parser = new MultipartParser(boundary);
  for await (const chunk of source) yield* parser.push(chunk);
  yield* parser.finish();
}

/** A Request body as an async iterable of bytes (empty body → nothing). */
export async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export interface MultipartUpload {
  fields: Record<string, string>;
  file: { name: string | null; contentType: string | null } | null;
}

/**
 * Reads a multipart body whose one file part (field `fileField`) is handed to `onFile` as a
 * byte stream while it arrives; text fields are collected (≤ 64 KB each). The `onFile` stream
 * must be consumed. 400 for a second file part or an oversized field.
 */
export async function readUpload<T>(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  fileField: string,
  onFile: (
    file: { name: string | null; contentType: string | null },
    bytes: AsyncIterable<Uint8Array>,
  ) => Promise<T>,
): Promise<{
  fields: Record<string, string>;
  file: { name: string | null; contentType: string | null } | null;
  result: T | undefined;
}> {
  const tokens = readMultipart(source, boundary);
  const fields: Record<string, string> = {};
  let file: { name: string | null; contentType: string | null } | null = null;
  let result: T | undefined;
  let next = await tokens.next();
  while (!next.done) {
    const tok = next.value;
    if (tok.type === 'end') break;
    if (tok.type !== 'part') throw bad('data outside a part');
    if (tok.name === fileField && tok.filename !== null) {
      if (file) throw new AppError('bad_request', `Only one '${fileField}' part is accepted`);
      file = { name: tok.filename, contentType: tok.contentType };
      let peeked: IteratorResult<MultipartToken> | null = null;
      const bytes = (async function* () {
        for (;;) {
          const n = await tokens.next();
          if (n.done || n.value.type !== 'data') {
            peeked = n;
            return;
          }
          yield n.value.chunk;
        }
      })();
      result = await onFile(file, bytes);
      // Drain whatever the consumer left.
      for await (const _ of bytes) {
      }
      next = peeked ?? (await tokens.next());
      continue;
    }
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      next = await tokens.next();
      if (next.done || next.value.type !== 'data') break;
      size += next.value.chunk.byteLength;
      if (size > 64 * 1024) throw new AppError('bad_request', `Field '${tok.name}' is larger than 64 KB`);
      parts.push(Buffer.from(next.value.chunk));
    }
    if (!Object.hasOwn(fields, tok.name)) fields[tok.name] = Buffer.concat(parts).toString('utf8');
  }
  return { fields, file, result };
}
