import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tempDirs = new Set<string>();
let tempDirHookInstalled = false;
let exitHookInstalled = false;

/** Synchronous cleanups run when the process exits (temp dirs, stray daemons). */
const exitCleanups = new Set<() => void>();

export function onProcessExit(fn: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const cleanup of exitCleanups) {
        try {
          cleanup();
        } catch {
          // best effort
        }
      }
    });
  }
  exitCleanups.add(fn);
  return () => {
    exitCleanups.delete(fn);
  };
}

/**
 * Creates a fresh directory under the OS temp dir and returns its path. It is removed when the
 * process exits unless KEEP_TEMP=1 is set; call `removeTempDir` to remove it earlier.
 * Synchronous, so both `tempDir('x')` and `await tempDir('x')` work.
 */
export function tempDir(prefix = 'outreach-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix.endsWith('-') ? prefix : `${prefix}-`));
  if (!tempDirHookInstalled) {
    tempDirHookInstalled = true;
    onProcessExit(() => {
      if (process.env.KEEP_TEMP === '1') return;
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: no port assigned'));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * Resolves with the first `n` items of `items` once it holds at least `n`, polling every 10 ms;
 * rejects after `timeoutMs` with a message naming what was waited for.
 */
export function waitForCount<T>(items: T[], n: number, timeoutMs: number, what: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      if (items.length >= n) {
        resolve(items.slice(0, n));
        return;
      }
      if (Date.now() >= deadline) {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} ${what} (got ${items.length})`));
        return;
      }
      setTimeout(tick, 10);
    };
    tick();
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
