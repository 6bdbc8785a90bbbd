/**
 * The worker side of bench/imports.ts as its own process (as `outreach work` on another machine
 * sharing the database): runs the import loop until the queue is empty and prints one JSON line
 * with its processing time and its own peak RSS. Usage: `node --import tsx bench/lib/import-worker.ts <databaseUrl>`.
 */
import { performance } from 'node:perf_hooks';
import { type Config, openDb, SecretBox, silentLogger, systemClock } from '@outreach/shared';
import { importsLoop } from '@outreach/worker/loops/imports';

const url = process.argv[2];
if (!url) throw new Error('usage: import-worker.ts <databaseUrl>');
const startRss = process.memoryUsage().rss;
const db = openDb(url);
const config = { databaseUrl: url, dispatchIntervalMs: 100 } as Config;
const deps = {
  db,
  config,
  clock: systemClock,
  rng: Math.random,
  secrets: SecretBox.fromString('a'.repeat(64)),
  log: silentLogger,
};
const t0 = performance.now();
await importsLoop.tick(deps, { workerId: 'bench-worker', stopping: () => false });
const seconds = (performance.now() - t0) / 1000;
db.close();
console.log(JSON.stringify({ seconds, peakRss: process.resourceUsage().maxRSS * 1024, startRss }));
