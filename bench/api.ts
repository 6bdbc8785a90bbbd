/**
 * API reads at scale (prints figures; not a timed assertion in CI).
 *
 * One campaign of 1,000,000 contacts (BENCH_CONTACTS) with 200,000 sends, 60 campaigns in the
 * workspace. `outreach serve --workers N` runs as child processes on that file; autocannon drives
 * each endpoint with 50 connections for BENCH_SECONDS (default 10) and prints p50 / p99, req/s and
 * the server's CPU per request (utime + stime of every server process, from /proc). In the same
 * run, as floors: a bare Hono route answering a page of the same size, and the raw SQL of the
 * contacts page behind node:http. Last, /health while a 1M-row contacts export streams.
 *
 * Run: `pnpm bench api` (BENCH_CONTACTS, BENCH_SECONDS, BENCH_WORKERS="1 2" to change it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { contactsPageQuery, createApiKey, createWorkspace, migrateDb, newId, openDb } from '@outreach/shared';
import { OUTREACH_BIN } from '@outreach/testkit';
import { freePort, tempDir } from '@outreach/testkit/util';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { encodeCursor } from '../packages/server/src/lib/pagination';

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

async function load(name: string, target: string, headers: Record<string, string>, pids: () => number[]) {
  const before = cpuOf(pids());
  const res = await autocannon({ url: target, connections: 50, duration: SECONDS, headers });
  const cpu = cpuOf(pids()) - before;
  const n = res.requests.total;
  const bad = res.non2xx + res.errors + res.timeouts;
  console.log(
    `${name.padEnd(44)} p50 ${String(res.latency.p50).padStart(4)} ms  p99 ${String(res.latency.p99).padStart(4)} ms  ` +
      `${String(Math.round(res.requests.average)).padStart(6)} req/s  ${((cpu * 1000) / Math.max(1, n)).toFixed(3)} ms CPU/req` +
      (bad ? `  (${bad} non-2xx/errors/timeouts)` : ''),
  );
}

async function startServe(workers: number): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [OUTREACH_BIN, 'serve', '--workers', String(workers)], {
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
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (s: Buffer) => {
      if (String(s).includes('Outreach API on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });

const s = await seed();
const auth = { authorization: `Bearer ${s.key}` };
const q = `workspaceId=${s.workspaceId}`;

console.log('\nfloors (in this process):');
{
  // the raw SQL of the first contacts page, behind node:http
  const client = createClient({ url });
  const raw = createServer(async (_req, res) => {
    const rs = await client.execute(
      contactsPageQuery(s.workspaceId, s.campaignId, { limit: 50, after: null }) as never,
    );
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items: rs.rows, next_cursor: null }));
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  await load(
    'raw SQL of the contacts page (node:http)',
    `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`,
    {},
    () => [process.pid],
  );
  const page = JSON.stringify({
    items: (
      await client.execute(
        contactsPageQuery(s.workspaceId, s.campaignId, { limit: 50, after: null }) as never,
      )
    ).rows,
    next_cursor: null,
  });
  raw.close();
  client.close();
  const app = new Hono().get('/', (c) => c.body(page, 200, { 'content-type': 'application/json' }));
  const bare = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => bare.once('listening', r));
  await load(
    'bare Hono route (same page, no database)',
    `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
    {},
    () => [process.pid],
  );
  bare.close();
}

for (const workers of WORKER_COUNTS) {
  const { base, child } = await startServe(workers);
  const pids = () => treePids(child.pid!);
  console.log(`\noutreach serve --workers ${workers} (${CONTACTS.toLocaleString()} contacts):`);
  const c = `${base}/campaigns/${s.campaignId}`;
  await load('GET /campaigns/{id}/stats', `${c}/stats?${q}`, auth, pids);
  await load('contacts, first page of 50', `${c}/contacts?${q}&limit=50`, auth, pids);
  await load(
    'contacts, cursor at 90 %',
    `${c}/contacts?${q}&limit=50&cursor=${encodeCursor(s.deepCursor)}`,
    auth,
    pids,
  );
  await load('contacts, status=pending', `${c}/contacts?${q}&limit=50&status=pending`, auth, pids);
  await load('campaigns list (50 items)', `${base}/campaigns?${q}&limit=50`, auth, pids);
  await load('/health', `${base}/health`, {}, pids);
  if (workers === WORKER_COUNTS.at(-1)) {
    // /health while a client downloads the whole contacts export
    const exporting = fetch(`${c}/export?${q}&kind=contacts`, { headers: auth }).then(async (r) => {
      let bytes = 0;
      for await (const chunk of r.body!) bytes += (chunk as Uint8Array).length;
      return bytes;
    });
    await load('/health during a 1M-row contacts export', `${base}/health`, {}, pids);
    console.log(`  (export: ${((await exporting) / 1e6).toFixed(0)} MB)`);
  }
  await stopChild(child);
}
