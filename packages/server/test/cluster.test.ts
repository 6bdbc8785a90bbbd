/**
 * `outreach start` as an operator runs it: API processes on one port (node's cluster module)
 * and the worker in a process of its own; a killed API process is replaced; SIGTERM stops all.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type RunningOutreach, startOutreach } from '@outreach/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let run: RunningOutreach;
beforeAll(async () => {
  run = await startOutreach({ env: { OUTREACH_API_WORKERS: '2', OUTREACH_LOG_LEVEL: 'info' } });
});
afterAll(() => run.stop());

/** Live child processes of `pid` (exited ones not yet reaped are left out). */
function children(pid: number): number[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(pid)], { encoding: 'utf8' });
    return out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([p, stat]) => p && !stat?.startsWith('Z'))
      .map(([p]) => Number(p));
  } catch {
    return []; // ps exits 1 when there is none
  }
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

function apiPids(): number[] {
  return run
    .output()
    .stderr.split('\n')
    .filter((l) => l.includes('"api listening"'))
    .map((l) => Number(JSON.parse(l).pid));
}

async function until<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const get = (path: string) =>
  fetch(`${run.baseUrl}${path}?workspaceId=${run.workspaceId}`, {
    headers: { authorization: `Bearer ${run.apiKey}` },
  });

describe('outreach start on every core', () => {
  it('runs two API processes and a worker process under one primary', async () => {
    await until('two API processes', () => (new Set(apiPids()).size === 2 ? apiPids() : undefined));
    const live = new Set(apiPids().filter(alive));
    // three live children (a process forked or reaped just now may be in between)
    const kids = await until('three children', () => {
      const k = children(run.child.pid!);
      return k.length === 3 ? k : undefined;
    }).catch(() => children(run.child.pid!));
    expect(kids, run.output().stderr).toHaveLength(3);
    for (const p of live) expect(kids).toContain(p);
    const answers = await Promise.all(Array.from({ length: 40 }, () => get('/campaigns')));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
  });

  it('replaces an API process that dies, and keeps answering meanwhile', async () => {
    const [victim] = apiPids();
    process.kill(victim!, 'SIGKILL');
    await until('a replacement', () => {
      const kids = children(run.child.pid!);
      return kids.length === 3 && !kids.includes(victim!) ? kids : undefined;
    });
    expect((await get('/campaigns')).status).toBe(200);
  });

  it('SIGTERM stops every process and exits 0', async () => {
    const kids = children(run.child.pid!);
    await run.stop();
    expect(run.child.exitCode).toBe(0);
    await until('every child to exit', () => (kids.some(alive) ? undefined : true), 10_000);
  });
});
