/**
 * `/health` says the process answers; `/ready` says it can do its work: the database answers,
 * its migrations are current, and — where this process runs the worker — every loop ticked
 * within three intervals (or is inside a tick shorter than its limit). 503 problem+json listing
 * every check otherwise, so a load balancer or `HEALTHCHECK` can take the instance out.
 */
import { type Deps, pendingMigrations } from '@outreach/shared';
import { loopHealth } from '@outreach/worker/heartbeat';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';
import { remoteLoopChecks } from './worker-beats';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

const DB_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export async function readinessChecks(deps: Deps): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    await withTimeout(deps.db.client.execute('SELECT 1'), DB_TIMEOUT_MS, 'the database');
    checks.push({ name: 'database', ok: true });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: String((err as Error).message).slice(0, 200) });
    checks.push({ name: 'migrations', ok: false, detail: 'the database does not answer' });
  }
  if (checks[0]!.ok) {
    try {
      const pending = await withTimeout(pendingMigrations(deps.db), DB_TIMEOUT_MS, 'the database');
      checks.push(
        pending === 0
          ? { name: 'migrations', ok: true }
          : {
              name: 'migrations',
              ok: false,
              detail: `${pending} migration(s) not applied: run outreach migrate`,
            },
      );
    } catch (err) {
      checks.push({ name: 'migrations', ok: false, detail: String((err as Error).message).slice(0, 200) });
    }
  }
  for (const loop of loopHealth(deps)) {
    checks.push({
      name: `loop:${loop.name}`,
      ok: loop.ok,
      ...(loop.detail ? { detail: loop.detail } : {}),
    });
  }
  checks.push(...remoteLoopChecks());
  return checks;
}

export function health(c: Context<AppEnv>): Response {
  return c.json({ ok: true });
}

export async function ready(c: Context<AppEnv>): Promise<Response> {
  const checks = await readinessChecks(c.get('deps'));
  const failing = checks.filter((ch) => !ch.ok);
  if (failing.length === 0) return c.json({ ok: true, checks });
  const res = problem(
    c,
    503,
    'not_ready',
    failing.map((ch) => `${ch.name}: ${ch.detail ?? 'failing'}`).join('; '),
    { checks },
  );
  res.headers.set('cache-control', 'no-store');
  return res;
}
