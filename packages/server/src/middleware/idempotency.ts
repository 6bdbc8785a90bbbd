import { AppError, IDEMPOTENCY_TTL_MS, schema } from '@outreach/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';
import { BodyDigest, digestBody, digestingBody, requestFingerprint } from '../lib/request-fingerprint';

const { idempotencyKeys } = schema;
const TTL_MS = IDEMPOTENCY_TTL_MS;
/** A first request that never finished (crash) stops blocking its key after this. */
const STALE_MS = 5 * 60 * 1000;
/** The fingerprint of a first request whose body is still streaming into its handler. */
const PENDING = '';

/**
 * Marks a route whose successful answer carries a secret shown once (an API key, a webhook
 * secret): `createRoute({ …, middleware: [answersSecret('api_key')] })`. The idempotency record
 * then keeps no secret: it stores a 409 `idempotency_secret_not_replayable` carrying the first
 * answer without the named fields (dotted paths reach into objects: `subscription.secret`), and
 * a replay of the key answers that.
 */
export function answersSecret(...fields: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('secretFields', fields);
    await next();
  };
}

/** A copy of `value` without the fields at the given dotted paths. */
function withoutFields(value: unknown, paths: readonly string[], prefix = ''): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (!paths.includes(path)) out[k] = withoutFields(v, paths, path);
  }
  return out;
}

/** What the record keeps of a first answer: the answer itself, or (secret) its 409 stand-in. */
async function storable(
  c: Context<AppEnv>,
  res: Response,
): Promise<{ status: number; body: string; contentType: string | null }> {
  const body = await res.clone().text();
  const secret = c.get('secretFields');
  if (!secret || res.status >= 300)
    return { status: res.status, body, contentType: res.headers.get('content-type') };
  let shown: unknown = null;
  try {
    shown = withoutFields(JSON.parse(body), secret);
  } catch {}
  const stand = problem(
    c,
    409,
    'idempotency_secret_not_replayable',
    `The first request with this Idempotency-Key succeeded (${res.status}), but its answer held a secret (${secret.map((f) => `\`${f}\``).join(', ')}) that is shown only once and is not kept for replay: \`firstResponse\` is that answer without it. If the secret was lost, revoke or rotate it and create another.`,
    { firstResponse: { status: res.status, body: shown } },
  );
  return { status: 409, body: await stand.text(), contentType: stand.headers.get('content-type') };
}

/**
 * `Idempotency-Key` on POST: the first response is stored and replayed for the same key and
 * request (header `Idempotent-Replayed: true`); the same key with another request is 409.
 *
 * A first request's body is hashed while it streams into the handler (nothing is buffered for
 * the fingerprint); the record's fingerprint is written with the response. A later request
 * with the key reads its own body once (the handler does not run) to compare.
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
    .values({ workspaceId, key, fingerprint: PENDING, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });

  if (claimed.length === 0) return answerRepeat(c, where);

  let stored = false;
  try {
    const digest = new BodyDigest(c.req.header('content-type') ?? null);
    let drain = async () => {};
    if (c.req.raw.body) {
      const tee = digestingBody(c.req.raw.body, digest);
      drain = tee.drain;
      c.req.raw = new Request(c.req.raw, { body: tee.stream, duplex: 'half' } as RequestInit);
    }
    await next();
    const status = c.res.status;
    // Answers worth replaying; auth, rate limits and server errors leave the key free.
    if (status < 500 && ![401, 403, 429].includes(status)) {
      // The digest needs the whole body, also the part a handler did not read.
      await drain();
      const bodyDigest = digest.finish();
      // A malformed multipart body is answered 400 and not kept (as when no key is sent).
      if (bodyDigest !== null) {
        const record = await storable(c, c.res);
        await db.orm
          .update(idempotencyKeys)
          .set({
            fingerprint: requestFingerprint(c.req.raw, bodyDigest),
            status: record.status,
            responseBody: record.body,
            contentType: record.contentType,
          })
          .where(where);
        stored = true;
      }
    }
  } finally {
    if (!stored)
      await db.orm.delete(idempotencyKeys).where(and(where, sql`${idempotencyKeys.status} IS NULL`));
  }
};

/** A key seen before: replay, or 409 while it runs or for another request. */
async function answerRepeat(c: Context<AppEnv>, where: ReturnType<typeof and>): Promise<Response> {
  const { db } = c.get('deps');
  const prior = await db.orm.query.idempotencyKeys.findFirst({ where });
  if (prior && prior.status == null) {
    throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still running');
  }
  const bodyDigest = await digestBody(c.req.raw);
  if (!prior || bodyDigest === null || prior.fingerprint !== requestFingerprint(c.req.raw, bodyDigest)) {
    throw new AppError('idempotency_conflict', 'This Idempotency-Key was used with a different request');
  }
  return new Response(prior.responseBody, {
    status: prior.status!,
    headers: {
      'content-type': prior.contentType ?? 'application/json',
      'Idempotent-Replayed': 'true',
    },
  });
}
