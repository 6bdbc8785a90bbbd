import { AppError, safeEqual, sha256Hex } from '@outreach/shared';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/**
 * Bearer API key → workspace. A `?workspaceId=` naming another workspace is 403; resources
 * of another workspace are then simply not found by the handlers (404).
 */
export const apiKeyAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearer(c.req.header('authorization'));
  if (!token) throw new AppError('unauthorized', 'Send an API key as `Authorization: Bearer osk_…`');
  const { clock } = c.get('deps');
  const row = await c.get('apiKeys').byHash(sha256Hex(token));
  if (!row) throw new AppError('unauthorized', 'The API key is not valid');
  if (row.expiresAt <= clock.now()) throw new AppError('unauthorized', 'The API key has expired');
  const asked = c.req.query('workspaceId');
  if (asked !== undefined && /^\d+$/.test(asked) && Number(asked) !== row.workspaceId) {
    throw new AppError('forbidden', `This API key does not belong to workspace ${asked}`);
  }
  c.set('workspaceId', row.workspaceId);
  c.set('apiKeyId', row.id);
  await next();
};

/** Admin routes: `Authorization: Bearer $OUTREACH_ADMIN_TOKEN`; off when no token is set. */
export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { adminToken } = c.get('deps').config;
  const token = bearer(c.req.header('authorization'));
  if (!adminToken || !token || !safeEqual(token, adminToken)) {
    throw new AppError(
      'unauthorized',
      adminToken
        ? 'Admin routes need `Authorization: Bearer $OUTREACH_ADMIN_TOKEN`'
        : 'Admin routes are off: set OUTREACH_ADMIN_TOKEN',
    );
  }
  c.set('workspaceId', 0);
  await next();
};
