import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import {
  ConfigError,
  createApiKey,
  createLogger,
  createWorkspace,
  type Deps,
  listWorkspaces,
  loadConfig,
  loadDotEnv,
  migrateDb,
  openDb,
  SecretBox,
  silentLogger,
  systemClock,
  workspaceExists,
} from '@outreach/shared';
import { startWorker } from '@outreach/worker';
import { createApp, openApiDocument } from './app';
import { childRole, type Role, reportListening, startPrimary } from './cluster';
import { specProblems } from './lib/openapi-rules';
import { backupDatabase } from './ops/backup';
import { shareMetrics } from './ops/cluster-metrics';
import { createOpsApp } from './ops/index';
import { closeHttp, onStopSignal, STOP_TIMEOUT_MS } from './ops/shutdown';
import { receiveBeats, reportBeats } from './ops/worker-beats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const OPENAPI_FILE = resolve(ROOT, 'openapi/openapi.json');

const USAGE = `outreach <command>

  start [--workers N]   migrate, then run N API processes (default: one per core) and the worker
  serve [--workers N]   run the API only (N processes on one port)
  work                  run the worker only
  migrate               apply database migrations
  workspace create [--name N] [--description D]
  key create --workspace N [--name N] [--days D]   prints the key once
  openapi [--check]     write (or compare) openapi/openapi.json
  backup <file>         write a consistent copy of the embedded database (while it runs)
  mcp                   MCP server over stdio for a local agent, calling the API at
                        OUTREACH_URL with OUTREACH_API_KEY (see the README)

Configuration comes from the environment (and .env): see the README.`;

async function boot(): Promise<Deps> {
  loadDotEnv();
  const config = loadConfig();
  const db = openDb(config.databaseUrl, config.databaseAuthToken);
  return {
    db,
    config,
    clock: systemClock,
    rng: Math.random,
    secrets: SecretBox.fromString(config.secretKey),
    log: createLogger(config.logLevel),
  };
}

/** First start on an empty database without an admin token: workspace 1 and a key to curl with. */
async function firstRun(deps: Deps): Promise<void> {
  if (deps.config.adminToken) return;
  if ((await listWorkspaces(deps.db)).length > 0) return;
  const now = deps.clock.now();
  const ws = await createWorkspace(deps.db, { projectName: 'Default workspace' }, now);
  const { key } = await createApiKey(deps.db, { workspaceId: ws.id, name: 'first-run' }, now);
  process.stdout.write(
    `\nCreated workspace ${ws.id} and an API key (shown once, keep it):\n\n  ${key}\n\n` +
      `Try: curl -H "Authorization: Bearer ${key}" "http://${deps.config.host}:${deps.config.port}/campaigns?workspaceId=${ws.id}"\n\n`,
  );
}

function listen(
  deps: Deps,
  announce: (url: string) => void,
  opsOnly = false,
): Promise<{ close(): Promise<void> }> {
  const app = opsOnly ? createOpsApp(deps) : createApp(deps);
  const port = opsOnly ? deps.config.workerPort! : deps.config.port;
  return new Promise((resolveListen) => {
    const server = serve({ fetch: app.fetch, port, hostname: deps.config.host }, (info) => {
      const url = `http://${deps.config.host}:${info.port}`;
      deps.log.info(opsOnly ? 'worker health listening' : 'api listening', { url, pid: process.pid });
      announce(url);
      resolveListen({ close: () => closeHttp(server as import('node:http').Server, STOP_TIMEOUT_MS - 5000) });
    });
  });
}

const announceUrl = (url: string) => process.stdout.write(`Outreach API on ${url} (docs at /docs)\n`);
const announceOps = (url: string) => process.stdout.write(`Outreach worker health on ${url}/ready\n`);

/** A child forked by the primary (cluster.ts): the API or the worker, on its own database client. */
async function runChild(role: Role): Promise<number> {
  const deps = await boot();
  shareMetrics();
  if (role === 'api') receiveBeats();
  const server = role === 'api' ? await listen(deps, reportListening) : null;
  const worker = role === 'worker' ? startWorker(deps) : null;
  if (worker) reportBeats(deps);
  // the primary signals its children on stop; so may a terminal (Ctrl-C) or a service manager: a
  // second signal must not cut the sends short here
  onStopSignal(
    async () => {
      await Promise.all([server?.close(), worker?.stop()]);
      deps.db.close();
    },
    deps.log,
    { repeatExits: false },
  );
  return -1; // keep running
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'start':
    case 'serve':
    case 'work': {
      const role = childRole();
      if (role) return runChild(role);
      const { values } = parseArgs({
        args: [sub, ...rest].filter((a): a is string => a !== undefined),
        options: { workers: { type: 'string' } },
      });
      const workers = values.workers === undefined ? undefined : Number(values.workers);
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
        process.stderr.write('--workers needs a whole number of processes, 1 or more\n');
        return 2;
      }
      const deps = await boot();
      await migrateDb(deps.db, deps.config.databaseUrl);
      if (command !== 'work') await firstRun(deps);
      const api = command === 'work' ? 0 : (workers ?? deps.config.apiWorkers ?? availableParallelism());
      if (command === 'work' || (command === 'serve' && api === 1)) {
        // one process is enough: no primary in between
        const server = api
          ? await listen(deps, announceUrl)
          : deps.config.workerPort
            ? await listen(deps, announceOps, true)
            : null;
        const worker = command === 'work' ? startWorker(deps) : null;
        onStopSignal(async () => {
          // stop taking requests (in-flight ones finish) while the worker lets its sends finish
          await Promise.all([server?.close(), worker?.stop()]);
          deps.db.close();
        }, deps.log);
        return -1;
      }
      deps.db.close(); // the primary only migrates; each child has its own client
      const primary = startPrimary({ api, worker: command === 'start', log: deps.log });
      // the children stop themselves (bounded by STOP_TIMEOUT_MS); the primary waits a little longer
      onStopSignal(() => primary.stop(), deps.log, { timeoutMs: STOP_TIMEOUT_MS + 5000 });
      const url = await primary.listening.catch(async (err: Error) => {
        await primary.stop();
        throw err;
      });
      if (url) announceUrl(url);
      return -1; // keep running
    }
    case 'migrate': {
      const deps = await boot();
      await migrateDb(deps.db, deps.config.databaseUrl);
      process.stdout.write(`Migrated ${deps.config.databaseUrl}\n`);
      deps.db.close();
      return 0;
    }
    case 'backup': {
      if (!sub) break;
      const deps = await boot();
      const { file, bytes } = await backupDatabase(deps.db, deps.config.databaseUrl, sub);
      deps.db.close();
      process.stdout.write(
        `Backed up ${deps.config.databaseUrl} to ${file} (${bytes} bytes). Keep ${deps.config.dataDir}/secret.key (or OUTREACH_SECRET_KEY) with it: stored mailbox passwords need it.\n`,
      );
      return 0;
    }
    case 'workspace': {
      if (sub !== 'create') break;
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, description: { type: 'string' } },
      });
      const deps = await boot();
      await migrateDb(deps.db, deps.config.databaseUrl);
      const ws = await createWorkspace(
        deps.db,
        { projectName: values.name ?? 'Workspace', description: values.description },
        deps.clock.now(),
      );
      process.stdout.write(`${ws.id}\n`);
      deps.db.close();
      return 0;
    }
    case 'key': {
      if (sub !== 'create') break;
      const { values } = parseArgs({
        args: rest,
        options: { workspace: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } },
      });
      const workspaceId = Number(values.workspace);
      if (!Number.isInteger(workspaceId) || workspaceId < 1) {
        process.stderr.write('key create needs --workspace <id>\n');
        return 2;
      }
      const deps = await boot();
      await migrateDb(deps.db, deps.config.databaseUrl);
      if (!(await workspaceExists(deps.db, workspaceId))) {
        process.stderr.write(`workspace ${workspaceId} does not exist\n`);
        return 1;
      }
      const { key } = await createApiKey(
        deps.db,
        { workspaceId, name: values.name, expiresInDays: values.days ? Number(values.days) : undefined },
        deps.clock.now(),
      );
      process.stdout.write(`${key}\n`);
      deps.db.close();
      return 0;
    }
    case 'openapi': {
      const spec = specDocument();
      const problems = specProblems(spec);
      if (problems.length > 0) {
        process.stderr.write(
          `The spec breaks its rules (lib/openapi-rules.ts):\n  ${problems.join('\n  ')}\n`,
        );
        return 1;
      }
      const text = `${JSON.stringify(spec, null, 2)}\n`;
      if (sub === '--check') {
        const current = existsSync(OPENAPI_FILE) ? readFileSync(OPENAPI_FILE, 'utf8') : '';
        if (current !== text) {
          process.stderr.write('openapi/openapi.json is stale: run `pnpm openapi` and commit the result\n');
          return 1;
        }
        process.stdout.write('openapi/openapi.json is up to date\n');
        return 0;
      }
      mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
      writeFileSync(OPENAPI_FILE, text);
      process.stdout.write(`Wrote ${OPENAPI_FILE}\n`);
      return 0;
    }
    case 'mcp': {
      const { runStdioMcp } = await import('./mcp/stdio');
      await runStdioMcp();
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/** The spec needs no database: routes are only described, never run. */
export function specDocument() {
  const deps = { log: silentLogger } as unknown as Deps;
  return openApiDocument(createApp(deps));
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const isBin = process.argv[1]?.endsWith('outreach.mjs') || process.argv[1]?.endsWith('/outreach');
if (isMain || isBin) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
      }
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
