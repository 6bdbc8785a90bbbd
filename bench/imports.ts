/**
 * Import benchmarks (prints figures; not a timed assertion in CI).
 *
 * 1. End to end: a 1,000,000-row CSV (5 known + 3 custom columns), generated on the fly and
 *    streamed as a multipart body, through `POST /imports` → mapping-preview → mapping-confirm →
 *    the worker's import loop → `completed`, in this process (API and worker share only the
 *    database file; the worker has its own client). Rows/s and the process's peak RSS.
 * 2. Baseline in the same run: the same rows with a raw multi-row `INSERT … VALUES (…),(…)`
 *    (one bound value per column, 500 rows a statement, 4 statements a transaction) into a
 *    fresh database with the same schema. Prints the ratio end-to-end / raw.
 * 3. Listing the 1M contacts page by page (limit 200) through the API: first vs last pages.
 * 4. The sync import of 10,000 rows (one request, answered when stored).
 * 5. Peak RSS of the same 1M-row upload with and without an `Idempotency-Key` (the middleware
 *    fingerprints the body as it streams), each in its own process.
 *
 * Run: `npx tsx bench/imports.ts` (BENCH_ROWS=… to change the size; BENCH_SKIP=idem,list,sync;
 * BENCH_ONLY=idem for 5. alone).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createApp } from '@outreach/server/app';
import { type Deps, newId, openDb } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { importsLoop } from '@outreach/worker/loops/imports';
import { confirmImport, HEADER, line, postImport } from './lib/upload-body';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function endToEnd(
  deps: TestDeps,
  apiKey: string,
  workspaceId: number,
  split: boolean,
): Promise<{ seconds: number; campaignId: string; workerPeak: number | null; uploadPeak: number }> {
  let workerPeak: number | null = null;
  const app = createApp(deps);
  const auth = { authorization: `Bearer ${apiKey}` };
  const worker: Deps = { ...deps, db: openDb(deps.config.databaseUrl) };
  if (process.env.BENCH_MEM) {
    // The worker keeps the thread busy (synchronous SQLite): sample memory from its writes.
    const inner = worker.db.client;
    let calls = 0;
    const client = new Proxy(inner, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (prop !== 'batch' && prop !== 'execute') return v;
        return (...args: unknown[]) => {
          if (++calls % 100 === 0) {
            const u = process.memoryUsage();
            console.log(
              `    mem: rss ${mb(u.rss)} heap ${mb(u.heapUsed)}/${mb(u.heapTotal)} external ${mb(u.external)} arrayBuffers ${mb(u.arrayBuffers)}`,
            );
          }
          return (v as (...a: unknown[]) => unknown)(...args);
        };
      },
    });
    worker.db = { ...worker.db, client };
  }
  const campaign = (await (
    await app.request(`/campaigns?workspaceId=${workspaceId}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    })
  ).json()) as any;

  const t0 = performance.now();
  const { importId, length } = await postImport(app, auth, workspaceId, campaign.id, ROWS);
  const t1 = performance.now();
  const uploadPeak = peakRss();
  await confirmImport(app, auth, workspaceId, importId);
  let workerSeconds: number;
  if (split) {
    const child = spawnSync(
      process.execPath,
      [
        ...(process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
        '--import',
        'tsx',
        join(here, 'lib/import-worker.ts'),
        deps.config.databaseUrl,
      ],
      {
        encoding: 'utf8',
        cwd: join(here, '..'),
      },
    );
    if (child.status !== 0) throw new Error(`worker process: ${child.stderr}`);
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      seconds: number;
      peakRss: number;
      startRss: number;
    };
    if (process.env.BENCH_MEM) console.log(`    worker process RSS at start ${mb(out.startRss)}`);
    workerSeconds = out.seconds;
    workerPeak = out.peakRss;
  } else {
    const w0 = performance.now();
    await importsLoop.tick(worker, { workerId: 'bench', stopping: () => false });
    workerSeconds = (performance.now() - w0) / 1000;
  }
  const t2 = t1 + workerSeconds * 1000;
  const status = (await (
    await app.request(`/imports/${importId}/status?workspaceId=${workspaceId}`, { headers: auth })
  ).json()) as any;
  if (status.status !== 'completed' || status.imported !== ROWS)
    throw new Error(`import ended ${JSON.stringify(status).slice(0, 400)}`);
  console.log(
    `  upload ${mb(length)} in ${((t1 - t0) / 1000).toFixed(2)} s (${fmt(ROWS / ((t1 - t0) / 1000))} rows/s), worker ${((t2 - t1) / 1000).toFixed(2)} s (${fmt(ROWS / ((t2 - t1) / 1000))} rows/s)`,
  );
  worker.db.close();
  return { seconds: (t2 - t0) / 1000, campaignId: campaign.id, workerPeak, uploadPeak };
}

/** The same rows, one bound value per column, multi-row VALUES. */
async function rawInsert(): Promise<number> {
  const deps = await createTestDeps();
  try {
    const db = deps.db;
    const campaignId = newId('campaign');
    const per = 500;
    const tuple = `(${Array(11).fill('?').join(',')})`;
    const sql = `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status, current_step, created_at, updated_at) VALUES ${Array(per).fill(tuple).join(',')}`;
    const now = Date.now();
    const t0 = performance.now();
    let stmts: { sql: string; args: (string | number)[] }[] = [];
    for (let start = 0; start < ROWS; start += per) {
      const args: (string | number)[] = [];
      const n = Math.min(per, ROWS - start);
      for (let i = start; i < start + n; i++) {
        const custom = JSON.stringify({
          company: `Company ${i % 5000}`,
          title: `Title ${i % 50}`,
          plan: `plan${i % 3}`,
          seats: String(i % 100),
          region: `region${i % 7}`,
        });
        args.push(
          newId('contact', now),
          1,
          campaignId,
          `user${i}@example${i % 1000}.com`,
          `First${i}`,
          `Last${i}`,
          custom,
          'pending',
          0,
          now,
          now,
        );
      }
      stmts.push({
        sql:
          n === per
            ? sql
            : `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status, current_step, created_at, updated_at) VALUES ${Array(n).fill(tuple).join(',')}`,
        args,
      });
      if (stmts.length === 4) {
        await db.client.batch(stmts, 'write');
        stmts = [];
        // Same event-loop turns as the import (the binding frees statement memory then).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (stmts.length) await db.client.batch(stmts, 'write');
    return (performance.now() - t0) / 1000;
  } finally {
    deps.cleanup();
  }
}

async function listing(
  deps: TestDeps,
  apiKey: string,
  workspaceId: number,
  campaignId: string,
): Promise<void> {
  const app = createApp(deps);
  const auth = { authorization: `Bearer ${apiKey}` };
  const times: number[] = [];
  let cursor: string | null = null;
  let seen = 0;
  do {
    const t0 = performance.now();
    const res = await app.request(
      `/campaigns/${campaignId}/contacts?workspaceId=${workspaceId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      { headers: auth },
    );
    const body = (await res.json()) as { items: unknown[]; next_cursor: string | null };
    times.push(performance.now() - t0);
    seen += body.items.length;
    cursor = body.next_cursor;
  } while (cursor);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = avg(times.slice(0, 20));
  const last = avg(times.slice(-20));
  console.log(
    `  ${fmt(times.length)} pages, ${fmt(seen)} contacts in ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s; first 20 pages ${first.toFixed(2)} ms/page, last 20 pages ${last.toFixed(2)} ms/page (ratio ${(last / first).toFixed(2)})`,
  );
  // The changes feed (creations merged with status events): 20 pages from the start, 20 from 90% in.
  const deep = await deps.db.client.execute({
    sql: 'SELECT created_at FROM contacts WHERE campaign_id = ? ORDER BY id LIMIT 1 OFFSET ?',
    args: [campaignId, Math.floor(ROWS * 0.9)],
  });
  for (const [label, since] of [
    ['from the start', null],
    ['from 90% in', new Date(Number(deep.rows[0]!.created_at)).toISOString()],
  ] as const) {
    const pageTimes: number[] = [];
    let c: string | null = null;
    for (let p = 0; p < 20; p++) {
      const t0 = performance.now();
      const res = await app.request(
        `/campaigns/${campaignId}/contacts/changes?workspaceId=${workspaceId}&limit=200${since ? `&updatedSince=${since}` : ''}${c ? `&cursor=${c}` : ''}`,
        { headers: auth },
      );
      const b = (await res.json()) as { items: unknown[]; next_cursor: string | null };
      pageTimes.push(performance.now() - t0);
      if (b.items.length !== 200) throw new Error(`changes page ${p}: ${b.items.length} items`);
      c = b.next_cursor;
    }
    console.log(`  contacts/changes ${label}: ${avg(pageTimes).toFixed(2)} ms/page (20 pages of 200)`);
  }
}

async function syncImport(deps: TestDeps, apiKey: string, workspaceId: number): Promise<void> {
  const app = createApp(deps);
  const auth = { authorization: `Bearer ${apiKey}` };
  const campaign = (await (
    await app.request(`/campaigns?workspaceId=${workspaceId}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sync' }),
    })
  ).json()) as any;
  let csv = `${HEADER}\n`;
  for (let i = 0; i < 10_000; i++) csv += `${line(i)}\n`;
  for (const key of [null, 'sync-bench-1']) {
    const fd = new FormData();
    fd.append('file', new Blob([csv], { type: 'text/csv' }), 'leads.csv');
    const t0 = performance.now();
    const res = await app.request(`/campaigns/${campaign.id}/contacts/import?workspaceId=${workspaceId}`, {
      method: 'POST',
      headers: key ? { ...auth, 'idempotency-key': key } : auth,
      body: fd,
    });
    const body = (await res.json()) as any;
    const ms = performance.now() - t0;
    if (res.status !== 200 || body.valid !== 10_000)
      throw new Error(`sync import: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    console.log(
      `  10,000 rows (${mb(csv.length)}) ${key ? 'with an Idempotency-Key, as updates' : 'new'}: ${ms.toFixed(0)} ms (created ${body.created}, upserted ${body.upserted})`,
    );
  }
}

/**
 * 5. Peak RSS of the same upload with and without an `Idempotency-Key`, each in a fresh process
 * (bench/lib/upload-rss.ts) so neither inherits the other's high-water mark.
 */
function idempotentUpload(): void {
  const run = (keyed: boolean) => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(here, 'lib/upload-rss.ts'), keyed ? 'keyed' : 'unkeyed', String(ROWS)],
      { encoding: 'utf8', cwd: join(here, '..') },
    );
    if (child.status !== 0) throw new Error(`upload-rss: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      status: number;
      bytes: number;
      seconds: number;
      rssBefore: number;
      peakRss: number;
    };
  };
  const plain = run(false);
  const keyed = run(true);
  for (const [name, r] of [
    ['without a key', plain],
    ['with an Idempotency-Key', keyed],
  ] as const) {
    console.log(
      `  ${mb(r.bytes)} upload ${name}: ${r.status} in ${r.seconds.toFixed(2)} s; RSS ${mb(r.rssBefore)} before, peak ${mb(r.peakRss)} (+${mb(r.peakRss - r.rssBefore)})`,
    );
  }
  const diff = keyed.peakRss - plain.peakRss;
  console.log(
    `  => peak RSS keyed − unkeyed: ${diff >= 0 ? '+' : ''}${(diff / 1024 / 1024).toFixed(1)} MB (target ≤ 20 MB)`,
  );
}

function sampleMemory(): () => void {
  if (!process.env.BENCH_MEM) return () => {};
  const t = setInterval(() => {
    const u = process.memoryUsage();
    console.log(
      `    mem: rss ${mb(u.rss)} heap ${mb(u.heapUsed)}/${mb(u.heapTotal)} external ${mb(u.external)} arrayBuffers ${mb(u.arrayBuffers)}`,
    );
  }, 1000);
  return () => clearInterval(t);
}

async function main() {
  console.log(`imports bench: ${fmt(ROWS)} rows, node ${process.version}`);
  if (process.env.BENCH_ONLY === 'idem') {
    console.log('5. peak RSS of a large upload with and without an Idempotency-Key');
    idempotentUpload();
    return;
  }
  const deps = await createTestDeps();
  try {
    const { workspaceId, apiKey } = await createTestWorkspace(deps, 'bench');
    console.log(
      '1a. end to end, API and worker as two processes sharing the database file (`outreach serve` + `outreach work`)',
    );
    const e2e = await endToEnd(deps, apiKey, workspaceId, true);
    const rate = ROWS / e2e.seconds;
    console.log(
      `  => ${fmt(ROWS)} rows in ${e2e.seconds.toFixed(2)} s = ${fmt(rate)} rows/s; peak RSS: API process ${mb(e2e.uploadPeak)}, worker process ${mb(e2e.workerPeak ?? 0)}`,
    );
    let single: { rate: number; rss: number } | null = null;
    if (!SKIP.has('single')) {
      console.log('1b. end to end, API and worker in one process (`outreach start`), fresh database');
      const fresh = await createTestDeps();
      try {
        const w = await createTestWorkspace(fresh, 'bench');
        const stop = sampleMemory();
        const one = await endToEnd(fresh, w.apiKey, w.workspaceId, false);
        stop();
        single = { rate: ROWS / one.seconds, rss: peakRss() };
        console.log(
          `  => ${fmt(ROWS)} rows in ${one.seconds.toFixed(2)} s = ${fmt(single.rate)} rows/s; peak RSS of the process ${mb(single.rss)}`,
        );
      } finally {
        fresh.cleanup();
      }
    }
    console.log('2. raw multi-row INSERT of the same rows (fresh database)');
    const raw = await rawInsert();
    const rawRate = ROWS / raw;
    console.log(
      `  => ${raw.toFixed(2)} s = ${fmt(rawRate)} rows/s; ratio end-to-end (1a) / raw = ${(rate / rawRate).toFixed(2)}`,
    );
    if (!SKIP.has('list')) {
      console.log('3. listing page by page');
      await listing(deps, apiKey, workspaceId, e2e.campaignId);
    }
    if (!SKIP.has('sync')) {
      console.log('4. sync import');
      await syncImport(deps, apiKey, workspaceId);
    }
    if (!SKIP.has('idem')) {
      console.log('5. idempotency fingerprint of a large upload');
      idempotentUpload();
    }
    console.log(
      `summary: ${fmt(rate)} rows/s end to end (target ≥ 50,000); peak RSS API ${mb(e2e.uploadPeak)}, worker ${mb(e2e.workerPeak ?? 0)} (target < 300 MB)` +
        (single ? `; in one process ${fmt(single.rate)} rows/s, peak RSS ${mb(single.rss)}` : '') +
        `; ratio vs raw ${(rate / rawRate).toFixed(2)} (aim ≥ 0.4)`,
    );
  } finally {
    deps.cleanup();
  }
}

await main();
