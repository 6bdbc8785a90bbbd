import { AppError, safeEqual, sha256Hex } from '@outreach/shared';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** A plain decimal integer: no sign, exponent, fraction, hex, spaces or leading zeros. */
const PLAIN_INTEGER = /^(0|[1-9][0-9]{0,15})$/;

/**
 * The one place `?workspaceId=` is read: anything but a plain integer is 422 (routes coerce it
 * with zod, which would take `1.0`, `1e0`, `+1`, `0x1` or ` 1` for 1); another workspace is 403.
 * Repeated, every value must pass.
 */
export function checkWorkspaceQuery(values: string[] | undefined, keyWorkspaceId: number): void {
  for (const asked of values ?? []) {
    if (!PLAIN_INTEGER.test(asked)) {
      throw AppError.validation([{ path: 'workspaceId', message: 'a plain integer (digits only), e.g. 42' }]);
    }
    if (Number(asked) !== keyWorkspaceId) {
      throw new AppError('forbidden', `This API key does not belong to workspace ${asked}`);
    }
  }
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
  checkWorkspaceQuery(c.req.queries('workspaceId'), row.workspaceId);
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
