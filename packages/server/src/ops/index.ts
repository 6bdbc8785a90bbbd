/** Operational endpoints (not part of the API contract, so not in the OpenAPI document). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { health, ready } from './health';
import { metricsEndpoint } from './metrics';

export { httpMetrics } from './metrics';

/** Paths the API-key middleware lets through (`/metrics` checks its own token). */
export const OPS_PATHS = [/^\/health$/, /^\/ready$/, /^\/metrics$/];

export function registerOps(app: OpenAPIHono<AppEnv>): void {
  app.get('/health', health);
  app.get('/ready', ready);
  app.get('/metrics', metricsEndpoint);
}
