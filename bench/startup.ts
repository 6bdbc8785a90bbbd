/**
 * Start-up time and idle memory of `outreach start`, two ways: the checkout's bin (TypeScript
 * sources through tsx) and the production build (`pnpm build`: plain Node on dist/cli.js).
 * Per run: ms from spawn until the API listens, ms until /ready answers 200, and the process's
 * RSS after 5 s idle, summed over the primary and its API and worker processes (read from /proc).
 * Fresh data folder per run (migrations included). `OUTREACH_API_WORKERS` (default 1) is passed on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WAYS = {
  'checkout (tsx)': join(ROOT, 'packages/server/bin/outreach.mjs'),
  'built (node dist/cli.js)': join(ROOT, 'packages/server/dist/cli.js'),
};
const RUNS = Number(process.env.RUNS ?? 5);
const IDLE_MS = 5000;

const freePort = () =>
  new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });

/** RSS of a process and all its descendants (start forks API and worker processes), MB. */
const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const own = m ? Number(m[1]) / 1024 : 0;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {}
  return own + children.reduce((sum, c) => sum + rssMb(c), 0);
};
const API_WORKERS = process.env.OUTREACH_API_WORKERS ?? '1';

async function once(bin: string) {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-startup-'));
  const port = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [bin, 'start'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      OUTREACH_DATA_DIR: dir,
      PORT: String(port),
      OUTREACH_LOG_LEVEL: 'warn',
      OUTREACH_API_WORKERS: API_WORKERS,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Outreach API on')) resolve(performance.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  let ready = Number.NaN;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    if (res?.status === 200) {
      ready = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { listening, ready, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, bin] of Object.entries(WAYS)) {
  if (!existsSync(bin)) {
    console.log(`${name}: ${bin} missing (run pnpm build)`);
    continue;
  }
  await once(bin); // warm-up (file cache)
  const runs: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(bin));
  const f = (k: 'listening' | 'ready' | 'rss') => {
    const xs = runs.map((r) => r[k]);
    return `${median(xs).toFixed(0)} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  };
  console.log(`${name}, OUTREACH_API_WORKERS=${API_WORKERS}, ${RUNS} runs, median (min, max):`);
  console.log(`  listening after ms:   ${f('listening')}`);
  console.log(`  /ready 200 after ms:  ${f('ready')}`);
  console.log(`  idle RSS after 5 s (all processes), MB: ${f('rss')}`);
}
