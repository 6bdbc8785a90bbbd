/**
 * API reads at scale (prints figures; not a timed assertion in CI).
 *
 * One campaign of 1,000,000 contacts (BENCH_CONTACTS) with 200,000 sends, 60 campaigns in the
 * workspace. `outreach serve --workers N` runs as child processes on that file; autocannon drives
 * each endpoint with 50 connections for BENCH_SECONDS (default 10) and prints p50 / p99, req/s and
 * the server's CPU per request (utime + stime of every server process, from /proc; autocannon runs
 * in this process and is not counted). In the same run, as floors, each in its own process
 * (bench/lib/api-floors.ts): a bare Hono route answering the same page, the raw SQL of the page
 * behind node:http, and the route's own statement behind node:http. Last, /health while a 1M-row
 * contacts export streams to curl (a process of its own: read here, its 159 MB would hold up
 * autocannon). Latencies are each response's own time to 0.1 ms (autocannon's histogram keeps
 * whole milliseconds, so its "5 ms" is anything from 5.0 to 5.99). Every line carries the
 * 1-minute load average (the machine is shared).
 *
 * Run: `pnpm bench api` (BENCH_CONTACTS, BENCH_SECONDS, BENCH_WORKERS="1 2" to change it;
 * BENCH_DIR=<dir> keeps the seeded database for the next run; BENCH_PROFILE=<dir> profiles every
 * server with --cpu-prof, one server per route for --workers 1, and prints where the time went;
 * BENCH_ONLY=<regex> runs only the matching lines).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey, createWorkspace, migrateDb, newId, openDb } from '@outreach/shared';
import { OUTREACH_BIN } from '@outreach/testkit';
import { freePort, tempDir } from '@outreach/testkit/util';
import autocannon from 'autocannon';
import { encodeCursor } from '../packages/server/src/lib/pagination';
import { summariseProfiles } from './lib/cpu-profile';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const SENDS = Math.min(200_000, CONTACTS);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1 2').split(' ').map(Number);
const STATUSES: [string, number][] = [
  ['pending', 0.55],
  ['active', 0.25],
  ['completed', 0.1],
  ['replied', 0.04],
  ['bounced', 0.02],
  ['unsubscribed', 0.02],
  ['suppressed', 0.01],
  ['failed', 0.01],
];

// BENCH_DIR keeps the seeded database (and what the run needs of it) for the next run
const dir = process.env.BENCH_DIR ?? tempDir('outreach-bench-api-');
const url = `file:${join(dir, 'bench.db')}`;
const SEEDED = join(dir, `seeded-${CONTACTS}.json`);

interface Seeded {
  workspaceId: number;
  key: string;
  campaignId: string;
  deepCursor: string;
}

async function seed(): Promise<Seeded> {
  if (existsSync(SEEDED)) return JSON.parse(readFileSync(SEEDED, 'utf8')) as Seeded;
  mkdirSync(dir, { recursive: true });
  const db = openDb(url);
  await migrateDb(db, url);
  const now = Date.now();
  const ws = await createWorkspace(db, { projectName: 'bench' }, now);
  const { key } = await createApiKey(db, { workspaceId: ws.id }, now);
  const stop = JSON.stringify({ stopOnReply: true, stopOnUnsub: true, stopOnBounce: true });
  const campaignIds: string[] = [];
  for (let i = 0; i < 60; i++) {
    const id = newId('campaign', now);
    campaignIds.push(id);
    await db.client.execute({
      sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, created_at, updated_at)
            VALUES (?, ?, ?, 'MEDIUM', 'active', NULL, ?, ?, ?)`,
      args: [id, ws.id, `Campaign ${i}`, stop, now, now],
    });
  }
  const campaignId = campaignIds[0]!;
  const stepIds = [newId('step', now), newId('step', now), newId('step', now)];
  for (const [i, id] of stepIds.entries()) {
    await db.client.execute({
      sql: `INSERT INTO steps (id, campaign_id, position, subject, body_html, delay_seconds, variants, created_at, updated_at)
            VALUES (?, ?, ?, 'Hi {{firstName}}', '<p>Hello</p>', 0, '[]', ?, ?)`,
      args: [id, campaignId, i + 1, now, now],
    });
  }
  const t0 = performance.now();
  const ids: string[] = [];
  const CHUNK = 5000;
  for (let start = 0; start < CONTACTS; start += CHUNK) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(CONTACTS, start + CHUNK); i++) {
      // statuses spread through the id range in STATUSES' proportions
      let r = ((i * 7919) % 1000) / 1000;
      let status = 'pending';
      for (const [name, share] of STATUSES) {
        r -= share;
        if (r < 0) {
          status = name;
          break;
        }
      }
      const id = newId('contact', now);
      ids.push(id);
      rows.push([id, `person${i}@company${i % 5000}.example`, `First${i}`, `Last${i}`, status]);
    }
    await db.client.execute({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status,
              current_step, created_at, updated_at)
            SELECT j.value->>0, ?, ?, j.value->>1, j.value->>2, j.value->>3, '{"company":"Acme","title":"CTO"}',
              j.value->>4, 0, ?, ? FROM json_each(?) j WHERE true`,
      args: [ws.id, campaignId, now, now, JSON.stringify(rows)],
    });
  }
  for (let start = 0; start < SENDS; start += CHUNK) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(SENDS, start + CHUNK); i++) {
      rows.push([
        newId('send', now),
        ids[i],
        stepIds[i % 3],
        i % 10 === 0 ? 'bounced' : 'sent',
        `<s${i}@bench>`,
      ]);
    }
    await db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id,
              to_email, status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
            SELECT j.value->>0, ?, ?, j.value->>1, j.value->>2, 'mbx_1', 'cmb_1', 'x@example.com', j.value->>3, 1,
              ?, ?, j.value->>4, ?, ? FROM json_each(?) j WHERE true`,
      args: [ws.id, campaignId, now, now, now, now, JSON.stringify(rows)],
    });
  }
  console.log(
    `seeded ${CONTACTS.toLocaleString()} contacts + ${SENDS.toLocaleString()} sends in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  db.close();
  const seeded = { workspaceId: ws.id, key, campaignId, deepCursor: ids[Math.floor(CONTACTS * 0.9)]! };
  if (process.env.BENCH_DIR) writeFileSync(SEEDED, JSON.stringify(seeded));
  return seeded;
}

/** CPU seconds (user + system) of a process and its children listed by /proc. */
function cpuOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = `/proc/${pid}/stat`;
    if (!existsSync(stat)) continue;
    const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

function treePids(root: number): number[] {
  const out = [root];
  for (const line of readFileSync(`/proc/${root}/task/${root}/children`, 'utf8').trim().split(/\s+/)) {
    if (line) out.push(...treePids(Number(line)));
  }
  return out;
}

/** The q-quantile of `xs` (sorted in place). */
function quantile(xs: number[], q: number): number {
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;
}
const ms = (xs: number[], q: number) => quantile(xs, q).toFixed(1).padStart(6);

const load1 = () => loadavg()[0]!.toFixed(2);

interface Figure {
  cpuMs: number;
  p99: number;
}

async function load(
  name: string,
  target: string,
  headers: Record<string, string>,
  pids: () => number[],
  floor?: Figure,
  connections = 50,
) {
  // one second first, not counted: a fresh process compiles and warms its caches on its first requests
  await autocannon({ url: target, connections: 10, duration: 1, headers });
  const before = cpuOf(pids());
  // each response's own time, to a tenth of a millisecond (autocannon's histogram keeps whole ms)
  const times: number[] = [];
  const res = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ url: target, connections, duration: SECONDS, headers }, (err, r) =>
      err ? reject(err) : resolve(r),
    );
    run.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  });
  const cpu = cpuOf(pids()) - before;
  const n = res.requests.total;
  const bad = res.non2xx + res.errors + res.timeouts;
  const cpuMs = (cpu * 1000) / Math.max(1, n);
  console.log(
    `${name.padEnd(42)} p50 ${ms(times, 0.5)} ms  p99 ${ms(times, 0.99)} ms  max ${ms(times, 1)} ms  ` +
      `${String(Math.round(res.requests.average)).padStart(6)} req/s  ${cpuMs.toFixed(3)} ms CPU/req` +
      (floor ? `  (${(cpuMs / floor.cpuMs).toFixed(1)}× the Hono floor)` : '') +
      `  load ${load1()}` +
      (bad ? `  (${bad} non-2xx/errors/timeouts)` : ''),
  );
  return { cpuMs, p99: quantile(times, 0.99) };
}

/** A child that prints `ready` (outreach: `Outreach API on`, floors: `listening <port>`) once it listens. */
function waitListening(child: ChildProcess, ready: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (s: Buffer) => {
      out += String(s);
      const m = ready.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

/** BENCH_PROFILE=<dir>: every server child writes a CPU profile there (`--cpu-prof`). */
const PROFILE = process.env.BENCH_PROFILE;
const profileArgs = (label: string): string[] =>
  PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE, label)}`] : [];

async function startServe(workers: number, label: string): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const args = [...profileArgs(label), OUTREACH_BIN, 'serve', '--workers', String(workers)];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      OUTREACH_DATA_DIR: dir,
      OUTREACH_SECRET_KEY: 'b'.repeat(64),
      OUTREACH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitListening(child, /Outreach API on (\S+)/);
  return { base: `http://127.0.0.1:${port}`, child };
}

async function startFloor(mode: string): Promise<{ base: string; child: ChildProcess }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'lib/api-floors.ts');
  const child = spawn(
    process.execPath,
    [
      ...profileArgs(`floor-${mode}`),
      '--import',
      'tsx',
      script,
      mode,
      url,
      String(s.workspaceId),
      s.campaignId,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await waitListening(child, /listening (\d+)/);
  return { base: `http://127.0.0.1:${port}/`, child };
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });

function profiled(label: string) {
  if (!PROFILE || !existsSync(join(PROFILE, label))) return;
  console.log(`  CPU profile (${label}):`);
  summariseProfiles(join(PROFILE, label));
}

/** BENCH_ONLY=<regex>: only the routes (and floors) whose name matches. */
const only = new RegExp(process.env.BENCH_ONLY ?? '.', 'i');
const s = await seed();
const auth = { authorization: `Bearer ${s.key}` };
const q = `workspaceId=${s.workspaceId}`;
console.log(
  `\n${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${SECONDS} s per line, 50 connections`,
);
console.log("CPU/req is the server processes' own (utime + stime from /proc), autocannon excluded.");

console.log('\nfloors (each its own server process, one core):');
const floors: Record<string, Figure> = {};
for (const [mode, name] of [
  ['hono', 'bare Hono route (same page, no database)'],
  ['raw', 'raw SQL of the page + JSON.stringify'],
  ['route-sql', "the route's one statement (node:http)"],
]) {
  if (mode !== 'hono' && !only.test(name!)) continue;
  const { base, child } = await startFloor(mode!);
  floors[mode!] = await load(name!, base, {}, () => [child.pid!], floors.hono);
  await stopChild(child);
  profiled(`floor-${mode}`);
}

const c0 = (base: string) => `${base}/campaigns/${s.campaignId}`;
const ROUTES: [string, (base: string) => string, Record<string, string>, number?][] = [
  // one connection: the latency of one request alone (with 50, each waits behind the others)
  ['GET /campaigns/{id}/stats, 1 connection', (b) => `${c0(b)}/stats?${q}`, auth, 1],
  ['GET /campaigns/{id}/stats', (b) => `${c0(b)}/stats?${q}`, auth],
  ['contacts, first page of 50', (b) => `${c0(b)}/contacts?${q}&limit=50`, auth],
  [
    'contacts, cursor at 90 %',
    (b) => `${c0(b)}/contacts?${q}&limit=50&cursor=${encodeCursor(s.deepCursor)}`,
    auth,
  ],
  ['contacts, status=pending', (b) => `${c0(b)}/contacts?${q}&limit=50&status=pending`, auth],
  ['campaigns list (50 items)', (b) => `${b}/campaigns?${q}&limit=50`, auth],
  ['/health', (b) => `${b}/health`, {}],
];

for (const workers of WORKER_COUNTS) {
  console.log(`\noutreach serve --workers ${workers} (${CONTACTS.toLocaleString()} contacts):`);
  if (PROFILE && workers === 1) {
    // a fresh server per route, so that each profile is that route's alone
    for (const [name, target, headers, connections] of ROUTES) {
      if (!only.test(name)) continue;
      const label = `w1-${name.replace(/[^a-z0-9]+/gi, '-')}`;
      const { base, child } = await startServe(1, label);
      const pids = () => treePids(child.pid!);
      await load(name, target(base), headers, pids, floors.hono, connections);
      await stopChild(child);
      profiled(label);
    }
    continue;
  }
  const { base, child } = await startServe(workers, `w${workers}`);
  const pids = () => treePids(child.pid!);
  for (const [name, target, headers, connections] of ROUTES)
    if (only.test(name)) await load(name, target(base), headers, pids, floors.hono, connections);
  if (workers === WORKER_COUNTS.at(-1) && only.test('/health during export')) {
    // /health while a client downloads the whole contacts export
    // the download runs in a process of its own (curl): in this one it would hold up autocannon
    const exporting = new Promise<number>((resolve, reject) => {
      const curl = spawn(
        'curl',
        [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{size_download}',
          '-H',
          `authorization: ${auth.authorization}`,
          `${c0(base)}/export?${q}&kind=contacts`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      curl.stdout.on('data', (d: Buffer) => {
        out += String(d);
      });
      curl.once('error', reject);
      curl.once('exit', (code) =>
        code === 0 ? resolve(Number(out)) : reject(new Error(`curl exited ${code}`)),
      );
    });
    const t0 = performance.now();
    await load('/health during a 1M-row contacts export', `${base}/health`, {}, pids, floors.hono);
    const bytes = await exporting;
    console.log(
      `  (export: ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  await stopChild(child);
  profiled(`w${workers}`);
}
console.log(
  `\nload average at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
