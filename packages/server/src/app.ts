import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, type Deps } from '@outreach/shared';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { registerDocs } from './lib/docs';
import { ApiKeyCache } from './lib/key-cache';
import { TAGS } from './lib/openapi-rules';
import { fieldErrors, problem } from './lib/problem';
import { registerMcp } from './mcp/http';
import { adminAuth, apiKeyAuth } from './middleware/auth';
import { idempotency } from './middleware/idempotency';
import { jsonDepth } from './middleware/json-depth';
import { requestId } from './middleware/request-id';
import { httpMetrics, OPS_PATHS, registerOps } from './ops/index';
import { registerRoutes } from './routes/index';
import { API_VERSION } from './version';

export { API_VERSION } from './version';
/** JSON bodies; file uploads set their own limits. */
export const MAX_JSON_BODY = 1024 * 1024;
/** Routes that take large uploads (multipart, or a raw message) and check their own limits. */
const UPLOAD_PATHS = [/^\/imports$/, /^\/campaigns\/[^/]+\/contacts\/import$/, /^\/inbox\/classify$/];

const PUBLIC_PATHS = [/^\/openapi\.json$/, /^\/docs/, /^\/u\//, /^\/favicon\.ico$/, ...OPS_PATHS];
const ADMIN_PATHS = [/^\/workspaces/, /^\/api-keys/];

export type App = OpenAPIHono<AppEnv>;

export function createApp(deps: Deps): App {
  const app = new OpenAPIHono<AppEnv>({
    // Validation failures are 422 problem+json naming every failing field.
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = fieldErrors(result.error.issues);
        return problem(c, 422, 'validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
          errors,
        });
      }
    },
  });

  const apiKeys = new ApiKeyCache(deps.db, () => deps.clock.now());
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('apiKeys', apiKeys);
    await next();
  });
  app.use('*', httpMetrics);
  app.use('*', requestId);
  const jsonBodyLimit = bodyLimit({
    maxSize: MAX_JSON_BODY,
    onError: (c) => problem(c, 413, 'payload_too_large', `The body is larger than ${MAX_JSON_BODY} bytes`),
  });
  app.use('*', async (c, next) => {
    // GET/HEAD carry no body: not asking for one spares building the fetch Request (node-server
    // makes it lazily, and it is a tenth of a small read's CPU)
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (UPLOAD_PATHS.some((p) => p.test(c.req.path))) return next();
    return jsonBodyLimit(c, next);
  });
  app.use('*', async (c, next) =>
    UPLOAD_PATHS.some((p) => p.test(c.req.path)) ? next() : jsonDepth(c, next),
  );
  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (PUBLIC_PATHS.some((p) => p.test(path))) return next();
    if (ADMIN_PATHS.some((p) => p.test(path))) return adminAuth(c, next);
    return apiKeyAuth(c, next);
  });
  app.use('*', idempotency);

  app.onError((err, c) => {
    if (err instanceof AppError) {
      const { status: _s, ...extra } = err.extra;
      return problem(c, err.status, err.code, err.message, extra);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status === 400)
        return problem(c, 400, 'malformed_json', err.message || 'The body is not valid JSON');
      if (status === 415) {
        const sent = c.req.header('content-type');
        const detail = `This route takes application/json, not ${sent ? `\`${sent}\`` : 'a body without Content-Type'}`;
        return problem(c, 415, 'unsupported_media_type', detail);
      }
      return problem(c, status, status === 413 ? 'payload_too_large' : 'bad_request', err.message);
    }
    deps.log.error('unhandled error', { err, path: c.req.path, requestId: c.get('requestId') });
    return problem(
      c,
      500,
      'internal_error',
      'Something went wrong on our side; the request id helps us find it',
    );
  });
  app.notFound((c) => problem(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`osk_…`) bound to one workspace, or the admin token for admin routes.',
  });

  registerRoutes(app);
  registerMcp(app);

  let spec: string | undefined;
  app.get('/openapi.json', (c) => {
    spec ??= JSON.stringify(openApiDocument(app));
    return c.body(spec, 200, { 'content-type': 'application/json' });
  });
  registerDocs(app);
  app.get('/favicon.ico', (c) => c.body(null, 204));
  registerOps(app);
  return app;
}

export function openApiDocument(app: App) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Outreach API',
      version: API_VERSION,
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      description:
        'Self-hosted, API-first cold-email outreach: campaigns, steps, contacts, mailboxes, schedules, launches, analytics. ' +
        "JSON bodies may nest objects/arrays at most 32 deep (a contact's `customJson` 16 deep): deeper → 422 " +
        '`validation_failed` naming the path. Templates have a render budget: 422 `template_too_complex` naming the field.',
    },
    servers: [{ url: 'http://localhost:8080' }],
    tags: TAGS,
    security: [{ bearerAuth: [] }],
  });
}
