/** Operational endpoints (not part of the API contract, so not in the OpenAPI document). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '@outreach/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';
import { health, ready } from './health';
import { httpMetrics, metricsEndpoint } from './metrics';

export { httpMetrics };

/** Paths the API-key middleware lets through (`/metrics` checks its own token). */
export const OPS_PATHS = [/^\/health$/, /^\/ready$/, /^\/metrics$/];

export function registerOps(app: OpenAPIHono<AppEnv> | Hono<AppEnv>): void {
  app.get('/health', health);
  app.get('/ready', ready);
  app.get('/metrics', metricsEndpoint);
}

/** What a worker-only process (`outreach work` with `OUTREACH_WORKER_PORT`) answers: the ops endpoints, nothing else. */
export function createOpsApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', httpMetrics);
  registerOps(app);
  app.notFound((c) =>
    problem(
      c,
      404,
      'not_found',
      `No route for ${c.req.method} ${c.req.path} (a worker answers /health, /ready and /metrics only)`,
    ),
  );
  return app;
}
