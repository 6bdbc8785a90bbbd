import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** Echo the caller's X-Request-Id (if sane) or make one; every response carries it. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && /^[\w.:-]{1,128}$/.test(given) ? given : `req_${randomUUID().replace(/-/g, '')}`;
  c.set('requestId', id);
  await next();
  c.res.headers.set('X-Request-Id', id);
};
