/**
 * `GET /metrics`: Prometheus text. Process counters plus gauges read from the database at
 * scrape time (see `@outreach/shared` metrics). With `OUTREACH_METRICS_TOKEN` set, a scrape
 * must carry `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import { collectDbGauges, dbMetricsRegistry, metrics, metricsRegistry } from '@outreach/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';
import { clusterMetricsText } from './cluster-metrics';

function tokenMatches(given: string | undefined, want: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${want}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function metricsEndpoint(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const token = deps.config.metricsToken;
  if (token && !tokenMatches(c.req.header('authorization'), token)) {
    return problem(c, 401, 'unauthorized', 'GET /metrics needs the metrics token (Authorization: Bearer …)');
  }
  await collectDbGauges(deps.db, deps.clock.now());
  let processes: string;
  try {
    processes = (await clusterMetricsText()) ?? (await metricsRegistry.metrics());
  } catch (err) {
    // a child that does not answer (stuck, restarting): this process's own counters, said so in the log
    deps.log.warn('cluster metrics unavailable, serving this process only', { err });
    processes = await metricsRegistry.metrics();
  }
  const text = `${processes.trimEnd()}\n${await dbMetricsRegistry.metrics()}`;
  return c.body(text, 200, { 'content-type': metricsRegistry.contentType });
}

/**
 * The route pattern that matched (`/campaigns/:id`), never the raw path: ids in paths would make
 * one series per campaign. Paths no route knows are `unmatched`.
 */
function routeOf(c: Context): string {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL' && r.path !== '*');
  return routes.at(-1)?.path ?? 'unmatched';
}

/** Counts every request and its latency by method, route pattern and status. */
export const httpMetrics: MiddlewareHandler<AppEnv> = async (c, next) => {
  const t0 = performance.now();
  try {
    await next();
  } finally {
    const labels = { method: c.req.method, route: routeOf(c), status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, (performance.now() - t0) / 1000);
  }
};
