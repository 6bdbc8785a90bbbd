import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient, type Config as LibsqlConfig } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index';
import { installStatementCache } from './statement-cache';

export type Orm = LibSQLDatabase<typeof schema>;

export interface Db {
  /** Raw client for hot paths (single statements, batch()). */
  client: Client;
  orm: Orm;
  close(): void;
}

function isBusy(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return (
    e?.code === 'SQLITE_BUSY' ||
    e?.cause?.code === 'SQLITE_BUSY' ||
    /SQLITE_BUSY|database is locked/.test(String(e?.message))
  );
}

/**
 * A libSQL client that replaces itself after SQLITE_BUSY: the client can report later writes
 * as successful and lose them once it has seen BUSY (libsql-client-ts#352).
 */
function resilientClient(make: () => Client): Client {
  let inner = make();
  const renew = () => {
    const old = inner;
    inner = make();
    queueMicrotask(() => old.close());
  };
  return new Proxy({} as Client, {
    get(_t, prop) {
      const value = (inner as any)[prop];
      if (typeof value !== 'function') return value;
      if (prop === 'execute' || prop === 'batch' || prop === 'executeMultiple' || prop === 'migrate') {
        return async (...args: unknown[]) => {
          try {
            return await value.apply(inner, args);
          } catch (err) {
            if (isBusy(err)) renew();
            throw err;
          }
        };
      }
      if (prop === 'transaction') {
        return async (...args: unknown[]) => {
          try {
            return await value.apply(inner, args);
          } catch (err) {
            if (isBusy(err)) renew();
            throw err;
          }
        };
      }
      return value.bind(inner);
    },
  });
}

/**
 * The database file and the folders made for it are the owner's only (0600/0700): they hold
 * mailbox credentials (sealed) and API key hashes. SQLite gives the WAL and SHM files the
 * database file's mode. An existing file keeps its mode.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function openDb(url: string, authToken?: string): Db {
  const config: LibsqlConfig = { url, authToken };
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length);
    if (path && path !== ':memory:') createPrivateFile(path.replace(/\?.*$/, ''));
    // timeout sets the busy timeout on every pooled connection.
    (config as LibsqlConfig & { timeout: number }).timeout = 5000;
    installStatementCache();
  }
  const client = resilientClient(() => createClient(config));
  return { client, orm: drizzle(client, { schema }), close: () => client.close() };
}

/** WAL once per file database; harmless elsewhere. */
export async function prepareDb(db: Db, url: string): Promise<void> {
  if (url.startsWith('file:')) {
    await db.client.execute('PRAGMA journal_mode=WAL');
    await db.client.execute('PRAGMA synchronous=NORMAL');
  }
}
