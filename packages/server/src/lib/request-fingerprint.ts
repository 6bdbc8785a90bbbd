/**
 * What an idempotent request asked, as one hash: method, path, sorted query and the body, fed
 * chunk by chunk as it streams (so an upload is never held for it). Bodies compare by content:
 * JSON whatever its key order; multipart by the same fields and the same file bytes whatever the
 * boundary; anything else byte for byte.
 */
import { createHash, type Hash } from 'node:crypto';
import { sha256Hex } from '@outreach/shared';
import { MultipartParser, type MultipartToken, multipartBoundary } from './multipart';

/** JSON bodies past this are hashed as bytes (the JSON routes refuse them anyway). */
const MAX_CANONICAL_JSON = 1024 * 1024;

/** Canonical JSON: the same parsed content gives the same text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface Part {
  name: string;
  filename: string | null;
  hash: Hash | null;
  text: Buffer[];
}

/** A body's digest, fed as it streams. */
export class BodyDigest {
  private readonly parser: MultipartParser | null;
  private readonly fields: string[] = [];
  private part: Part | null = null;
  /** multipart: the body did not parse (the handler answers 400 on it too). */
  private malformed = false;
  // Non-multipart: raw bytes hashed, the first MAX_CANONICAL_JSON kept to parse as JSON.
  private readonly raw = createHash('sha256');
  private kept: Buffer[] = [];
  private size = 0;

  constructor(contentType: string | null) {
    const boundary = multipartBoundary(contentType);
    this.parser = boundary ? new MultipartParser(boundary) : null;
  }

  update(chunk: Uint8Array): void {
    if (!this.parser) {
      this.raw.update(chunk);
      this.size += chunk.byteLength;
      if (this.size <= MAX_CANONICAL_JSON) this.kept.push(Buffer.from(chunk));
      else this.kept = [];
      return;
    }
    if (this.malformed) return;
    try {
      for (const tok of this.parser.push(chunk)) this.token(tok);
    } catch {
      this.malformed = true;
    }
  }

  /** The digest once the body has ended; null for a malformed multipart body. */
  finish(): string | null {
    if (!this.parser) {
      if (this.size > MAX_CANONICAL_JSON) return `bytes:${this.raw.digest('hex')}`;
      const text = Buffer.concat(this.kept).toString('utf8');
      try {
        return `json:${canonical(JSON.parse(text))}`;
      } catch {
        return `bytes:${this.raw.digest('hex')}`;
      }
    }
    if (this.malformed) return null;
    try {
      for (const tok of this.parser.finish()) this.token(tok);
    } catch {
      return null;
    }
    this.closePart();
    return `multipart:${this.fields.sort().join('\n')}`;
  }

  private token(tok: MultipartToken): void {
    if (tok.type === 'part') {
      this.closePart();
      this.part = {
        name: tok.name,
        filename: tok.filename,
        hash: tok.filename !== null ? createHash('sha256') : null,
        text: [],
      };
    } else if (tok.type === 'data' && this.part) {
      if (this.part.hash) this.part.hash.update(tok.chunk);
      else this.part.text.push(Buffer.from(tok.chunk));
    } else if (tok.type === 'end') {
      this.closePart();
    }
  }

  private closePart(): void {
    const p = this.part;
    if (!p) return;
    if (p.hash) this.fields.push(`${p.name}=file:${p.filename}:${p.hash.digest('hex')}`);
    else this.fields.push(`${p.name}=${Buffer.concat(p.text).toString('utf8')}`);
    this.part = null;
  }
}

/** The request's fingerprint from its head and its body's digest. */
export function requestFingerprint(req: Request, bodyDigest: string): string {
  const url = new URL(req.url);
  return sha256Hex([req.method, url.pathname, [...url.searchParams].sort().join('&'), bodyDigest].join('\n'));
}

/**
 * `body` with every chunk the reader takes fed to `digest` on the way (no copy is kept), and
 * `drain()` to read what the reader left (after the handler) so the digest covers the whole
 * body. Reads are pulled: nothing is read ahead of the consumer.
 */
export function digestingBody(
  body: ReadableStream<Uint8Array>,
  digest: BodyDigest,
): { stream: ReadableStream<Uint8Array>; drain: () => Promise<void> } {
  const reader = body.getReader();
  let ended = false;
  const read = async (): Promise<Uint8Array | null> => {
    if (ended) return null;
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      return null;
    }
    digest.update(value);
    return value;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await read();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      // A handler that stops reading early leaves the rest to drain().
      cancel() {},
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    async drain() {
      while ((await read()) !== null) {}
      reader.releaseLock();
    },
  };
}

/** Reads a whole body into a digest (a replayed key: the handler will not run). */
export async function digestBody(req: Request): Promise<string | null> {
  const digest = new BodyDigest(req.headers.get('content-type'));
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      digest.update(value);
    }
  }
  return digest.finish();
}
