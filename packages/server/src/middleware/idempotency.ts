import { createHash, type Hash } from 'node:crypto';
import { AppError, IDEMPOTENCY_TTL_MS, schema, sha256Hex } from '@outreach/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { bodyChunks, multipartBoundary, readMultipart } from '../lib/multipart';

const { idempotencyKeys } = schema;
const TTL_MS = IDEMPOTENCY_TTL_MS;
/** A first request that never finished (crash) stops blocking its key after this. */
const STALE_MS = 5 * 60 * 1000;

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

/** Fingerprint of what was asked: method, path, query and the parsed body. */
async function fingerprint(req: Request): Promise<string> {
  const url = new URL(req.url);
  const parts = [req.method, url.pathname, [...url.searchParams].sort().join('&')];
  const type = req.headers.get('content-type') ?? '';
  const clone = req.clone();
  const boundary = multipartBoundary(type);
  if (boundary) {
    // Same fields and same file bytes, whatever the boundary. Streamed (files hashed as they
    // arrive): `formData()` held a large upload several times over in memory (GBs for 80 MB).
    const fields: string[] = [];
    let current: { name: string; filename: string | null; hash: Hash | null; text: Buffer[] } | null = null;
    const close = () => {
      if (!current) return;
      if (current.hash) fields.push(`${current.name}=file:${current.filename}:${current.hash.digest('hex')}`);
      else fields.push(`${current.name}=${Buffer.concat(current.text).toString('utf8')}`);
      current = null;
    };
    for await (const tok of readMultipart(bodyChunks(clone.body), boundary)) {
      if (tok.type === 'part') {
        close();
        current = {
          name: tok.name,
          filename: tok.filename,
          hash: tok.filename !== null ? createHash('sha256') : null,
          text: [],
        };
      } else if (tok.type === 'data' && current) {
        if (current.hash) current.hash.update(tok.chunk);
        else current.text.push(Buffer.from(tok.chunk));
      } else if (tok.type === 'end') {
        close();
      }
    }
    close();
    parts.push(fields.sort().join('\n'));
  } else {
    const text = await clone.text();
    try {
      parts.push(canonical(JSON.parse(text)));
    } catch {
      parts.push(text);
    }
  }
  return sha256Hex(parts.join('\n'));
}

/**
 * `Idempotency-Key` on POST: the first response is stored and replayed for the same key and
 * request (header `Idempotent-Replayed: true`); the same key with another request is 409.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  // Public routes (no API key, so no workspace: the unsubscribe links) are idempotent by themselves.
  if (c.req.method !== 'POST' || !key || c.get('workspaceId') === undefined) return next();
  if (key.length > 255)
    throw AppError.validation([{ path: 'Idempotency-Key', message: 'at most 255 characters' }]);
  const { db, clock } = c.get('deps');
  const workspaceId = c.get('workspaceId');
  const now = clock.now();
  const print = await fingerprint(c.req.raw);
  const where = and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key));

  // Expired or abandoned keys make room for a new first request.
  await db.orm
    .delete(idempotencyKeys)
    .where(
      and(
        where,
        sql`(${idempotencyKeys.createdAt} < ${now - TTL_MS} OR (${idempotencyKeys.status} IS NULL AND ${idempotencyKeys.createdAt} < ${now - STALE_MS}))`,
      ),
    );
  const claimed = await db.orm
    .insert(idempotencyKeys)
    .values({ workspaceId, key, fingerprint: print, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });

  if (claimed.length === 0) {
    const prior = await db.orm.query.idempotencyKeys.findFirst({ where });
    if (!prior || prior.fingerprint !== print) {
      throw new AppError('idempotency_conflict', 'This Idempotency-Key was used with a different request');
    }
    if (prior.status == null) {
      throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still running');
    }
    return new Response(prior.responseBody, {
      status: prior.status,
      headers: {
        'content-type': prior.contentType ?? 'application/json',
        'Idempotent-Replayed': 'true',
      },
    });
  }

  let stored = false;
  try {
    await next();
    const status = c.res.status;
    // Answers worth replaying; auth, rate limits and server errors leave the key free.
    if (status < 500 && ![401, 403, 429].includes(status)) {
      const body = await c.res.clone().text();
      await db.orm
        .update(idempotencyKeys)
        .set({ status, responseBody: body, contentType: c.res.headers.get('content-type') })
        .where(where);
      stored = true;
    }
  } finally {
    if (!stored)
      await db.orm.delete(idempotencyKeys).where(and(where, sql`${idempotencyKeys.status} IS NULL`));
  }
};
