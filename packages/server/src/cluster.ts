/**
 * `outreach start` / `serve` on every core: the primary process migrates, then forks API
 * processes that share one listening port (node's cluster module) and, for `start`, one worker
 * process, so a slow request never delays a send and one core's event loop is never the limit.
 * Each child boots its own configuration and database client. A child that dies is replaced;
 * SIGTERM on the primary stops every child gracefully and waits for them (bounded).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@outreach/shared';

export type Role = 'api' | 'worker';
const ROLE_ENV = 'OUTREACH_PROCESS_ROLE';
const STOP_TIMEOUT_MS = 30_000;
const RESPAWN_DELAY_MS = 1_000;

/** In a child forked by the primary: its role; null in the primary or a single process. */
export function childRole(): Role | null {
  if (!cluster.isWorker) return null;
  const role = process.env[ROLE_ENV];
  return role === 'api' || role === 'worker' ? role : null;
}

/** Tells the primary an API child listens (the primary prints the one start-up line). */
export function reportListening(url: string): void {
  process.send?.({ outreach: 'listening', url });
}

export interface Primary {
  /** resolves with the URL once the first API child listens (null without API children). */
  listening: Promise<string | null>;
  stop(): Promise<void>;
}

export function startPrimary(opts: { api: number; worker: boolean; log: Logger }): Primary {
  const roles = new Map<Worker, Role>();
  let stopping = false;
  let listened = false;
  let onListening: (url: string | null) => void = () => {};
  let onFailed: (err: Error) => void = () => {};
  const listening = new Promise<string | null>((resolve, reject) => {
    onListening = (url) => {
      listened = true;
      resolve(url);
    };
    onFailed = reject;
  });
  if (opts.api === 0) onListening(null);

  const fork = (role: Role) => {
    const child = cluster.fork({ [ROLE_ENV]: role });
    roles.set(child, role);
    child.on('message', (m: { outreach?: string; url?: string }) => {
      if (m?.outreach === 'listening' && m.url) onListening(m.url);
    });
    child.on('exit', (code, signal) => {
      roles.delete(child);
      if (stopping) return;
      if (role === 'api' && !listened) {
        // it could not start (a port in use, a bad setting): starting another would fail the same way
        onFailed(new Error(`the API process exited before listening (${signal ?? code})`));
        return;
      }
      opts.log.error('process exited, starting another', { role, pid: child.process.pid, code, signal });
      setTimeout(() => {
        if (!stopping) fork(role);
      }, RESPAWN_DELAY_MS).unref();
    });
  };
  for (let i = 0; i < opts.api; i++) fork('api');
  if (opts.worker) fork('worker');

  return {
    listening,
    async stop() {
      stopping = true;
      const children = [...roles.keys()];
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.isDead()) return resolve();
              const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
