/**
 * WAL checkpoints on a thread of their own (file databases).
 *
 * SQLite's automatic checkpoint runs inside whichever commit takes the WAL past 1,000 pages, on
 * the committing thread: it copies those pages into the database file and syncs it, tens of
 * milliseconds. Under a big import that landed on the sending loop's commits, each waited for by
 * every mailbox (bench/import-while-sending.ts, 1M rows: sending at 51 % of its rate alone with
 * automatic checkpoints, 73 % without them on the sending connection). So every connection of the
 * process turns the automatic checkpoint off (statement-cache.ts sets up each connection) and
 * this thread, with its own connection, runs a passive checkpoint every second instead: it copies
 * what no reader still needs, never blocks a writer or a reader, and its I/O is off the event loop.
 *
 * A passive checkpoint never starts the WAL over: the next writer does, and only when everything
 * was copied before it began and no reader is reading from the WAL. Under steady writes that
 * moment never comes (whatever is written while a checkpoint copies is left for the next), and
 * the WAL grew with everything written: 530 MB over 10,000 sends, 4 GB during a 1M-row import
 * while sending. So when the WAL still holds more than `restartFrames` after the passive
 * checkpoint, the thread runs a RESTART checkpoint straight after it: that holds writers back
 * while it copies the little written since (the passive one copied the rest without blocking
 * anyone) and waits, at most `waitMs`, for the readers still in the WAL; then the next writer
 * starts the WAL over from its beginning (the file keeps its size, so it stops growing). When
 * readers outlast the wait it gives up, and tries again at the next turn. A RESTART holds writers
 * for 30–180 ms (bench/imports.ts, 1M rows): well inside their 5 s busy timeout. (Not under
 * `--cpu-prof`: the profiler's signals cut the busy handler's sleeps short, which it counts as
 * whole, so there a 5 s timeout gives up after ~65 ms and such a wait fails with SQLITE_BUSY.)
 * The code is plain JavaScript given as a string, so it runs the same from the sources and from
 * the built files.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 1000;
/** Frames left in the WAL after a passive checkpoint past which the thread restarts it (~64 MB). */
export const RESTART_FRAMES = 16_384;
/** How long a RESTART checkpoint may wait for writers and readers (and hold writers back). */
export const RESTART_WAIT_MS = 50;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
let db = null;
const checkpoint = () => {
  try {
    // the busy timeout bounds a RESTART's waits; a PASSIVE checkpoint never waits
    db ??= new Database(workerData.path, { timeout: workerData.waitMs });
    const [passive] = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').all();
    if (passive && passive.log > workerData.restartFrames) db.prepare('PRAGMA wal_checkpoint(RESTART)').all();
  } catch {
    // busy (another checkpoint), or the file is gone: try again next time
    try { db?.close(); } catch {}
    db = null;
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db?.close(); } catch {}
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;

  constructor(path: string, opts: { everyMs?: number; restartFrames?: number; waitMs?: number } = {}) {
    const libsql = createRequire(import.meta.url).resolve('libsql');
    const workerData = {
      libsql,
      path,
      everyMs: opts.everyMs ?? CHECKPOINT_EVERY_MS,
      restartFrames: opts.restartFrames ?? RESTART_FRAMES,
      waitMs: opts.waitMs ?? RESTART_WAIT_MS,
    };
    this.worker = new Worker(THREAD_CODE, { eval: true, workerData });
    // it never keeps the process alive
    this.worker.unref();
  }

  /** Stops the thread (it closes its connection first). */
  close(): void {
    this.worker.postMessage('close');
  }
}
