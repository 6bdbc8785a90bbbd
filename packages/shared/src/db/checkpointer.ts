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
 * A passive checkpoint never starts the WAL over: the next writer does, only if no reader is then
 * reading from the WAL. Under steady load (a campaign sending while an import runs) there always
 * is one, and the WAL grew without end: 7.9 GB during a 1M-row import while sending, every page
 * read slower for it (SQLite looks a page up in every part of the WAL index), sending at half its
 * rate. So once the WAL passes `truncateBytes` this thread runs a TRUNCATE checkpoint: it waits
 * (at most `waitMs`, writers wait meanwhile) for the readers to finish their reads, copies the
 * rest and empties the file. If readers outlast the wait it gives up and tries a second later.
 * The code is plain JavaScript given as a string, so it runs the same from the sources and from
 * the built files.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 1000;
/** WAL size past which the thread empties the WAL (TRUNCATE) instead of a passive checkpoint. */
export const WAL_TRUNCATE_BYTES = 64 * 1024 * 1024;
/** How long a TRUNCATE checkpoint may wait for readers (and hold writers back). */
export const TRUNCATE_WAIT_MS = 100;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.libsql);
let db = null;
const walBytes = () => {
  try { return statSync(workerData.path + '-wal').size; } catch { return 0; }
};
const checkpoint = () => {
  try {
    // the busy timeout bounds a TRUNCATE's wait; a PASSIVE checkpoint never waits
    db ??= new Database(workerData.path, { timeout: workerData.waitMs });
    const mode = walBytes() > workerData.truncateBytes ? 'TRUNCATE' : 'PASSIVE';
    db.prepare('PRAGMA wal_checkpoint(' + mode + ')').get();
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

  constructor(path: string, opts: { everyMs?: number; truncateBytes?: number; waitMs?: number } = {}) {
    const libsql = createRequire(import.meta.url).resolve('libsql');
    const workerData = {
      libsql,
      path,
      everyMs: opts.everyMs ?? CHECKPOINT_EVERY_MS,
      truncateBytes: opts.truncateBytes ?? WAL_TRUNCATE_BYTES,
      waitMs: opts.waitMs ?? TRUNCATE_WAIT_MS,
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
