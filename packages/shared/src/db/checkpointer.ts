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
 * The code is plain JavaScript given as a string, so it runs the same from the sources and from
 * the built files.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 1000;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
let db = null;
const checkpoint = () => {
  try {
    db ??= new Database(workerData.path, { timeout: 0 });
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
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

  constructor(path: string, everyMs = CHECKPOINT_EVERY_MS) {
    const libsql = createRequire(import.meta.url).resolve('libsql');
    this.worker = new Worker(THREAD_CODE, { eval: true, workerData: { libsql, path, everyMs } });
    // it never keeps the process alive
    this.worker.unref();
  }

  /** Stops the thread (it closes its connection first). */
  close(): void {
    this.worker.postMessage('close');
  }
}
