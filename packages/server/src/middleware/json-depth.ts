import { JSON_MAX_DEPTH, jsonDepthExcess } from '@outreach/shared';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * Every JSON body is measured for nesting on its raw text before any parser sees it (a 2 KB body
 * nested 100,000 deep overflows the stack of whatever recurses over it): deeper than
 * {@link JSON_MAX_DEPTH} → 422 naming the path. The text is read once and put back as the body.
 */
export const jsonDepth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '') || !c.req.raw.body) return next();
  const text = await c.req.raw.text();
  const over = jsonDepthExcess(text, JSON_MAX_DEPTH);
  if (over) {
    const message = `nests objects/arrays more than ${over.max} deep`;
    return problem(c, 422, 'validation_failed', `${over.path}: ${message}`, {
      errors: [{ path: over.path, message }],
    });
  }
  c.req.raw = new Request(c.req.raw, { body: text });
  return next();
};
