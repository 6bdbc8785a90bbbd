/**
 * Graceful stop (SIGTERM / SIGINT): stop accepting connections, let in-flight requests finish,
 * stop the worker's loops and let its in-flight SMTP sends finish and be recorded (so nothing is
 * left `sending` to be settled `interrupted`), close the database, exit 0. Bounded: past
 * `timeoutMs` the process exits 1 (whatever was still in flight is settled by the next worker,
 * as after a crash). A second signal exits at once, except in a child of the primary (cluster.ts),
 * which may be signalled by the primary and by a terminal or service manager both.
 */
import type { Server } from 'node:http';
import type { Logger } from '@outreach/shared';

export const STOP_TIMEOUT_MS = 25_000;

/** `server.close()` waits for keep-alive connections too: close the idle ones now, the rest once they answer. */
export function closeHttp(server: Server, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
    // connections that finish a response later are closed as soon as they go idle
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.once('close', () => clearInterval(sweep));
  });
}

export function onStopSignal(
  stop: () => Promise<void>,
  log: Logger,
  opts: { timeoutMs?: number; exit?: (code: number) => void; repeatExits?: boolean } = {},
): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.timeoutMs ?? STOP_TIMEOUT_MS;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (opts.repeatExits !== false) exit(1);
      return;
    }
    stopping = true;
    log.info('stopping', { signal, timeoutMs });
    const timer = setTimeout(() => {
      log.error('graceful stop timed out', { timeoutMs });
      exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        clearTimeout(timer);
        log.info('stopped');
        exit(0);
      },
      (err) => {
        log.error('graceful stop failed', { err });
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
