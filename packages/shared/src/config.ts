import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, 'a libSQL URL: file:…, libsql://…, http(s)://… or ws(s)://…')
    .optional(),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  OUTREACH_DATA_DIR: z.string().min(1).default('./data'),
  OUTREACH_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  OUTREACH_SECRET_KEY: z.string().min(16, 'at least 16 characters').optional(),
  OUTREACH_PUBLIC_URL: z.string().url('an absolute URL').optional(),
  OUTREACH_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  OUTREACH_MAILBOX_ALLOW_PRIVATE: bool.default(false),
  OUTREACH_DISPATCH_INTERVAL_MS: int(50, 3_600_000).default(5000),
  OUTREACH_INBOX_POLL_SECONDS: int(1, 86_400).default(60),
  OUTREACH_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  OUTREACH_API_WORKERS: int(1, 256).optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  databaseAuthToken?: string;
  dataDir: string;
  adminToken?: string;
  secretKey: string;
  publicUrl: string;
  webhookAllowPrivate: boolean;
  /** mailbox SMTP/IMAP hosts may be private/loopback addresses (see net/ssrf.ts). */
  mailboxAllowPrivate: boolean;
  dispatchIntervalMs: number;
  inboxPollSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** API processes of `start` / `serve` (node's cluster module); default one per core. */
  apiWorkers?: number;
}

export class ConfigError extends Error {}

/** Reads `.env` (if present) without overriding the real environment. */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const value = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
    if (env[m[1]!] === undefined) env[m[1]!] = value;
  }
}

/** Parses the environment; a bad value throws one line naming the variable and what it accepts. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { generateKey?: boolean } = {},
): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`${name}=${JSON.stringify(env[name])} is not valid: expected ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.OUTREACH_DATA_DIR);
  const databaseUrl = e.DATABASE_URL ?? `file:${join(e.OUTREACH_DATA_DIR, 'outreach.db')}`;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    databaseAuthToken: e.DATABASE_AUTH_TOKEN,
    dataDir,
    adminToken: e.OUTREACH_ADMIN_TOKEN,
    secretKey: e.OUTREACH_SECRET_KEY ?? (opts.generateKey === false ? '' : secretKeyFile(dataDir)),
    publicUrl: (e.OUTREACH_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    webhookAllowPrivate: e.OUTREACH_WEBHOOK_ALLOW_PRIVATE,
    mailboxAllowPrivate: e.OUTREACH_MAILBOX_ALLOW_PRIVATE,
    dispatchIntervalMs: e.OUTREACH_DISPATCH_INTERVAL_MS,
    inboxPollSeconds: e.OUTREACH_INBOX_POLL_SECONDS,
    logLevel: e.OUTREACH_LOG_LEVEL,
    apiWorkers: e.OUTREACH_API_WORKERS ?? availableParallelism(),
  };
}

/** The embedded default: a key generated once into the data folder, readable by its owner only. */
function secretKeyFile(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  chmodSync(file, 0o600);
  return key;
}
