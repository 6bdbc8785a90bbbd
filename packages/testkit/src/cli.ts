import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onProcessExit, tempDir } from './util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The `outreach` bin (runs the TypeScript sources through tsx). */
export const OUTREACH_BIN = resolve(ROOT, 'packages/server/bin/outreach.mjs');

export interface StartOutreachOptions {
  /**
   * Extra environment for the child. `PORT`, `HOST` and `OUTREACH_DATA_DIR` default to a free port,
   * 127.0.0.1 and a fresh temp dir; Outreach variables of this process are not inherited.
   * With `OUTREACH_ADMIN_TOKEN` set there is no first-run key: a workspace and a key are then
   * made through the admin API.
   */
  env?: Record<string, string | undefined>;
  /** `start` (API + worker, default) or `serve` (API only). */
  command?: 'start' | 'serve';
  /** How long to wait for the API to listen (default 60 s). */
  timeoutMs?: number;
  /** The program to run instead of the checkout's bin, e.g. an installed package's (`[cmd, ...args]`). */
  bin?: string[];
  /** Working directory (default: the data dir). */
  cwd?: string;
  /**
   * Run in a process group of its own and signal the whole group on stop: for launchers that do
   * not pass SIGTERM on to the server they start (`npx` does not).
   */
  processGroup?: boolean;
  /** A known key and workspace (a server on an existing database prints no first-run key). */
  credentials?: { apiKey: string; workspaceId: number };
}

export interface RunningOutreach {
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  apiKey: string;
  workspaceId: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the child printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then SIGKILL after `killAfterMs` (5 s); resolves with how the process exited. */
  stop(killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const FIRST_RUN = /Created workspace (\d+) and an API key[^\n]*\n\s*\n\s*(\S+)/;
const LISTENING = /Outreach API on (http:\/\/\S+)/;

/**
 * Runs the real `outreach start` CLI as a child process on a free port and an empty data dir,
 * waits until it listens, and reads the first-run workspace and API key from its output.
 */
export async function startOutreach(opts: StartOutreachOptions = {}): Promise<RunningOutreach> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('OUTREACH_') && k !== 'DATABASE_URL' && k !== 'DATABASE_AUTH_TOKEN',
    ),
  );
  const env: Record<string, string> = {
    ...(inherited as Record<string, string>),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    OUTREACH_DATA_DIR: tempDir('outreach-cli-'),
    OUTREACH_LOG_LEVEL: 'warn',
    // test peers (smtp-server, dovecot) listen on 127.0.0.1
    OUTREACH_MAILBOX_ALLOW_PRIVATE: 'true',
    // one API process beside the worker's: tests run several servers at once on two cores
    OUTREACH_API_WORKERS: '1',
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const dataDir = env.OUTREACH_DATA_DIR!;

  const [program, ...args] = opts.bin ?? [process.execPath, OUTREACH_BIN];
  const child = spawn(program!, [...args, opts.command ?? 'start'], {
    cwd: opts.cwd ?? dataDir, // no stray .env from the caller's directory
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.processGroup ?? false,
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (opts.processGroup && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  const removeExitHook = onProcessExit(() => signal('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  // stdio closes once every process holding the pipes has exited (the whole group's output is in)
  const closed = new Promise<void>((r) => child.once('close', () => r()));

  const stop = async (killAfterMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), killAfterMs);
      await exited;
      // a launcher (npx) may exit before the server it started: wait for the group's last words
      // (still bounded by the SIGKILL above)
      if (opts.processGroup) await closed;
      clearTimeout(timer);
    }
    removeExitHook();
    return { code: child.exitCode, signal: child.signalCode };
  };

  try {
    const baseUrl = await new Promise<string>((resolveUrl, reject) => {
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `outreach did not listen within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          ),
        timeoutMs,
      );
      const check = () => {
        const m = LISTENING.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `outreach exited (${code ?? signal}) before listening\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      });
    });

    let apiKey: string;
    let workspaceId: number;
    const first = FIRST_RUN.exec(stdout);
    if (opts.credentials) {
      ({ apiKey, workspaceId } = opts.credentials);
    } else if (first) {
      workspaceId = Number(first[1]);
      apiKey = first[2]!;
    } else if (env.OUTREACH_ADMIN_TOKEN) {
      ({ apiKey, workspaceId } = await adminWorkspace(baseUrl, env.OUTREACH_ADMIN_TOKEN));
    } else {
      throw new Error(`no first-run key in the output and no admin token\nstdout:\n${stdout}`);
    }
    return { baseUrl, apiKey, workspaceId, dataDir, child, output: () => ({ stdout, stderr }), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function adminWorkspace(
  baseUrl: string,
  token: string,
): Promise<{ apiKey: string; workspaceId: number }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const ws = await fetch(`${baseUrl}/workspaces`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ project_name: 'testkit' }),
  });
  if (!ws.ok) throw new Error(`POST /workspaces: ${ws.status} ${await ws.text()}`);
  const { workspace_id } = (await ws.json()) as { workspace_id: number };
  const key = await fetch(`${baseUrl}/api-keys?workspace_id=${workspace_id}`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  if (!key.ok) throw new Error(`POST /api-keys: ${key.status} ${await key.text()}`);
  const { api_key } = (await key.json()) as { api_key: string };
  return { apiKey: api_key, workspaceId: workspace_id };
}
