/** Worker processes for the multi-process tests (worker-child.ts), and what the SMTP sink saw. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestSmtpServer } from '@outreach/testkit';
import type { TestDeps } from '@outreach/testkit/deps';
import { expect } from 'vitest';
import { rows } from './support';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export const children = new Set<ChildProcess>();

export function startChild(deps: TestDeps, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: deps.config.databaseUrl, SECRET_KEY: deps.config.secretKey, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

/** Stops a worker; with SIGTERM it reports how many messages it sent. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => {
    child.once('exit', () => {
      const m = /sent (\d+)/.exec(out);
      resolve(m ? Number(m[1]) : null);
    });
    child.kill(signal);
  });
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** (contact, step) of every message the server received, by the X-Outreach-Send-Id header. */
export async function received(deps: TestDeps, smtp: TestSmtpServer) {
  const sends = await rows<{ id: string; contact_id: string; step_id: string }>(
    deps,
    'SELECT id, contact_id, step_id FROM sends',
  );
  const byId = new Map(sends.map((s) => [s.id, `${s.contact_id}/${s.step_id}`]));
  const counts = new Map<string, number>();
  for (const m of smtp.messages) {
    const key = byId.get(m.headers['x-outreach-send-id']!);
    expect(key).toBeDefined();
    counts.set(key!, (counts.get(key!) ?? 0) + 1);
  }
  return counts;
}
