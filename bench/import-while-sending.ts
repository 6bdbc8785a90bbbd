/**
 * A 1,000,000-row import while a 5-mailbox campaign sends at full rate (issue 9): both rates
 * against each alone, measured in one run (prints figures; not a timed assertion in CI).
 *
 * The CSV goes through `POST /imports` and mapping-confirm in this process first; the timed part
 * is the import worker (parsing and inserting, where the rows meet the SQLite writer), run as its
 * own process on the same database file (a second worker; see BENCH_IMPORT below). The
 * campaign sends from this process through the dispatch loop as `outreach work` runs it (its
 * default interval; a mailbox queue running low wakes it) to a local smtp-server (gaps 0).
 * 1. sends alone, for BENCH_SOLO_SECONDS (default 15 s);
 * 2. the import alone;
 * 3. both: the sending starts, then the import; the send rate is counted over the import's run;
 * 4. sends alone again (the machine may be shared: the better of 1 and 4 is the solo rate).
 * Each phase on a fresh database. One SQLite writer is shared: the send rate should stay at
 * least 80 % of its solo rate.
 *
 * Run: `npx tsx bench/import-while-sending.ts` (BENCH_ROWS=… to change the import's size;
 * BENCH_IMPORT=in-process runs the import loop in the sending process, as one `outreach work`).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '@outreach/server/app';
import { seededRng, systemClock } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { startWorker } from '@outreach/worker';
import { createDispatchLoop } from '@outreach/worker/loops/dispatch';
import { importsLoop } from '@outreach/worker/loops/imports';
import { seedCampaign, sentCount, startSink } from './lib/dispatch-fixture';
import { confirmImport, postImport } from './lib/upload-body';

const here = dirname(fileURLToPath(import.meta.url));
/** OUTREACH_DISPATCH_INTERVAL_MS's default (the test deps tick every 100 ms) */
const PRODUCTION_INTERVAL_MS = 5000;
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SOLO_SECONDS = Number(process.env.BENCH_SOLO_SECONDS ?? 15);
/** enough contacts that the campaign never runs dry during a phase */
const CONTACTS = Number(process.env.BENCH_SEND_CONTACTS ?? 150_000);
const IN_PROCESS = process.env.BENCH_IMPORT === 'in-process';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Uploads and confirms the CSV through the API; the import job then waits for a worker. */
async function stageImport(deps: TestDeps): Promise<void> {
  const { workspaceId, apiKey } = await createTestWorkspace(deps, 'import');
  const app = createApp(deps);
  const auth = { authorization: `Bearer ${apiKey}` };
  const campaign = (await (
    await app.request(`/campaigns?workspaceId=${workspaceId}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'import' }),
    })
  ).json()) as { id: string };
  const { importId } = await postImport(app, auth, workspaceId, campaign.id, ROWS);
  await confirmImport(app, auth, workspaceId, importId);
}

/**
 * The import worker: by default in its own process (bench/lib/import-worker.ts), with
 * BENCH_IMPORT=in-process as a loop of this process (one `outreach work` running both loops).
 * Resolves with its seconds.
 */
function runImportWorker(deps: TestDeps): Promise<number> {
  if (IN_PROCESS) {
    const t0 = performance.now();
    return importsLoop
      .tick(deps, { workerId: 'bench-imports', stopping: () => false })
      .then(() => (performance.now() - t0) / 1000);
  }
  const url = deps.config.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib/import-worker.ts'), url], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`import worker exited ${code}: ${err}`));
      resolve((JSON.parse(out.trim().split('\n').pop()!) as { seconds: number }).seconds);
    });
  });
}

async function importedRows(deps: TestDeps): Promise<number> {
  const res = await deps.db.client.execute("SELECT count(*) AS n FROM contacts WHERE status = 'pending'");
  return Number(res.rows[0]!.n);
}

/**
 * Sends as `outreach work` does (its dispatch loop, default interval, a queue running low waking
 * it), counting what is sent while `during()` runs; one second of warm-up first (the mailboxes'
 * SMTP connections open, the loop at full rate).
 */
async function sendDuring(
  deps: TestDeps,
  during: () => Promise<unknown>,
): Promise<{ sent: number; seconds: number }> {
  const worker = startWorker(deps, { loops: [createDispatchLoop], workerId: 'bench-sender' });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const before = await sentCount(deps);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const wal = `${deps.config.databaseUrl.replace(/^file:/, '')}-wal`;
    let walMax = 0;
    const sampler = setInterval(() => {
      try {
        walMax = Math.max(walMax, statSync(wal).size);
      } catch {}
    }, 500);
    await during();
    clearInterval(sampler);
    console.log(`  (WAL at most ${(walMax / 1e6).toFixed(0)} MB)`);
    const cpu = process.cpuUsage(cpu0);
    const sent = (await sentCount(deps)) - before;
    const seconds = (performance.now() - t0) / 1000;
    if (sent === 0) throw new Error('nothing was sent: raise BENCH_SEND_CONTACTS');
    // CPU time of this process (sending, the sink, the checkpoint thread) over the wall time
    console.log(`  (this process: ${((cpu.user + cpu.system) / 1e4 / seconds).toFixed(0)} % of a core)`);
    return { sent, seconds };
  } finally {
    await worker.stop();
  }
}

async function sendingDeps(port: number) {
  const deps = await createTestDeps({
    clock: systemClock,
    rng: seededRng(3),
    config: { mailboxAllowPrivate: true, dispatchIntervalMs: PRODUCTION_INTERVAL_MS },
  });
  await seedCampaign(deps, port, { now: Date.now() - 60_000, contacts: CONTACTS, dailyLimit: CONTACTS });
  return deps;
}

async function main() {
  console.log(`import while sending: ${fmt(ROWS)} rows, 5 mailboxes to a local smtp-server`);
  const sink = await startSink();

  // The machine may be shared: sending alone is measured before and after the import, and the
  // rate while importing is set against the better of the two.
  const soloRates: number[] = [];
  const sendAlone = async (label: string) => {
    console.log(label);
    const a = await sendingDeps(sink.port);
    try {
      const solo = await sendDuring(a, () => new Promise((r) => setTimeout(r, SOLO_SECONDS * 1000)));
      soloRates.push(solo.sent / solo.seconds);
      console.log(
        `  ${fmt(solo.sent)} sent in ${solo.seconds.toFixed(1)} s = ${fmt(soloRates.at(-1)!)} msg/s`,
      );
    } finally {
      a.cleanup();
    }
  };
  await sendAlone('1. sending alone');

  console.log(`2. the import alone (${IN_PROCESS ? 'a loop of this process' : 'its own worker process'})`);
  const b = await createTestDeps();
  let importSolo: number;
  try {
    await stageImport(b);
    const seconds = await runImportWorker(b);
    const rows = await importedRows(b);
    if (rows !== ROWS) throw new Error(`imported ${rows} of ${ROWS}`);
    importSolo = rows / seconds;
    console.log(`  ${fmt(rows)} rows in ${seconds.toFixed(1)} s = ${fmt(importSolo)} rows/s`);
  } finally {
    b.cleanup();
  }

  console.log('3. both at once');
  let sendBoth = 0;
  const c = await sendingDeps(sink.port);
  try {
    await stageImport(c);
    let seconds = 0;
    const both = await sendDuring(c, async () => {
      seconds = await runImportWorker(c);
    });
    const rows = await importedRows(c);
    if (rows !== ROWS) throw new Error(`imported ${rows} of ${ROWS}`);
    const importBoth = rows / seconds;
    sendBoth = both.sent / both.seconds;
    console.log(
      `  import ${fmt(rows)} rows in ${seconds.toFixed(1)} s = ${fmt(importBoth)} rows/s (${((importBoth / importSolo) * 100).toFixed(0)} % of alone)`,
    );
    console.log(`  sending ${fmt(both.sent)} in ${both.seconds.toFixed(1)} s = ${fmt(sendBoth)} msg/s`);
  } finally {
    c.cleanup();
  }
  await sendAlone('4. sending alone again');
  await sink.close();
  const soloRate = Math.max(...soloRates);
  console.log(
    `sending while importing: ${fmt(sendBoth)} msg/s = ${((sendBoth / soloRate) * 100).toFixed(0)} % of the better rate alone (${soloRates.map(fmt).join(' and ')} msg/s; goal ≥ 80 %)`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
