import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient, type Config as LibsqlConfig } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { Checkpointer } from './checkpointer';
import { PreparedReads } from './prepared-reads';
import * as schema from './schema/index';
import { installStatementCache } from './statement-cache';

export type Orm = LibSQLDatabase<typeof schema>;

export interface Db {
  /** Raw client for hot paths (single statements, batch()). */
  client: Client;
  orm: Orm;
  /**
   * One read statement for a hot path, its rows as arrays of column values: on a file database
   * prepared once and reused (prepared-reads.ts), elsewhere through the client.
   */
  read(stmt: { sql: string; args: readonly unknown[] }): Promise<unknown[][]>;
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

/**
 * `db.read` with rows as plain objects keyed by `columns` (the statement's columns, in order):
 * for the row mappers that take a record, without @libsql/client's row objects (each column
 * set with `Object.defineProperty`, the larger part of reading a 1,000-row page).
 */
export async function readRecords(
  db: Db,
  stmt: { sql: string; args: readonly unknown[] },
  columns: readonly string[],
): Promise<Record<string, unknown>[]> {
  const rows = await db.read(stmt);
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) o[columns[i]!] = r[i];
    return o;
  });
}

const BUSY_TIMEOUT_MS = 5000;

export function openDb(url: string, authToken?: string): Db {
  const config: LibsqlConfig = { url, authToken };
  let prepared: PreparedReads | null = null;
  let checkpointer: Checkpointer | null = null;
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/\?.*$/, '');
    if (path && path !== ':memory:') {
      createPrivateFile(path);
      // an in-memory database exists on one connection only: it keeps to the client
      prepared = new PreparedReads(path, BUSY_TIMEOUT_MS);
      // the connections make no automatic checkpoints (statement-cache.ts): this thread does
      checkpointer = new Checkpointer(path);
    }
    // timeout sets the busy timeout on every pooled connection.
    (config as LibsqlConfig & { timeout: number }).timeout = BUSY_TIMEOUT_MS;
    installStatementCache();
  }
  const client = resilientClient(() => createClient(config));
  const read: Db['read'] = prepared
    ? async (stmt) => prepared.all(stmt.sql, stmt.args)
    : async (stmt) => {
        const rs = await client.execute({ sql: stmt.sql, args: stmt.args as never });
        return rs.rows.map((r) => Array.from(r));
      };
  return {
    client,
    orm: drizzle(client, { schema }),
    read,
    close: () => {
      checkpointer?.close();
      prepared?.close();
      client.close();
    },
  };
}

/**
 * WAL once per file database (it is the file's, not a connection's); harmless elsewhere. Each
 * connection's own settings are made as it opens (statement-cache.ts).
 */
export async function prepareDb(db: Db, url: string): Promise<void> {
  if (url.startsWith('file:')) await db.client.execute('PRAGMA journal_mode=WAL');
}
