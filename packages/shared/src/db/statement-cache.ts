/**
 * Prepared statements reused per connection (file databases), and each connection's settings.
 *
 * `@libsql/client` prepares every statement anew, on every call, and has no cache of its own.
 * SQLite compiles a table's triggers and indexes into each statement that writes it, so the
 * dispatch loop's writes (counters and webhook triggers on `sends`, `contacts`, `events`) spent
 * as long in `prepare` as in running (~100 µs a statement, measured with `--cpu-prof`, see
 * bench/dispatch.ts). This keeps the last {@link MAX_PER_CONNECTION} statements of each
 * connection by their SQL text. A libSQL statement is reset before each run (also after a
 * partial read), and SQLite re-prepares it by itself after a schema change, so a cached one
 * behaves as a fresh one. The client also asks every statement `raw(true)` to learn whether it
 * returns rows; a statement that does not throws there, each time: that answer is kept too.
 */
import Database from 'libsql';

export const MAX_PER_CONNECTION = 256;

/**
 * Each connection's own settings, made before its first statement (the client opens connections
 * as it needs them, and SQLite keeps these per connection): `synchronous = NORMAL` (with WAL:
 * commits are not synced, checkpoints are), and no automatic checkpoint, which would run inside
 * a commit (checkpointer.ts runs them on a thread of its own).
 */
function setUpConnection(conn: Database.Database): void {
  conn.exec('PRAGMA synchronous = NORMAL');
  conn.exec('PRAGMA wal_autocheckpoint = 0');
}

type Statement = ReturnType<Database.Database['prepare']>;

const caches = new WeakMap<object, Map<string, Statement>>();
let installed = false;

/** Installs the cache on libSQL's connections (once per process; later calls do nothing). */
export function installStatementCache(): void {
  if (installed) return;
  installed = true;
  const proto = (Database as unknown as { prototype: Record<string, (...a: unknown[]) => unknown> })
    .prototype;
  const prepare = proto.prepare!;
  const close = proto.close!;
  proto.prepare = function cachedPrepare(this: object, sql: unknown) {
    if (typeof sql !== 'string') return prepare.call(this, sql);
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
      setUpConnection(this as Database.Database);
    }
    const hit = cache.get(sql);
    if (hit) {
      // most recently used last: Map keeps insertion order
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const stmt = prepare.call(this, sql) as Statement;
    if (!stmt.reader) {
      const notReader = new TypeError('The raw() method is only for statements that return data');
      (stmt as { raw: Statement['raw'] }).raw = () => {
        throw notReader;
      };
    }
    cache.set(sql, stmt);
    if (cache.size > MAX_PER_CONNECTION) cache.delete(cache.keys().next().value!);
    return stmt;
  };
  proto.close = function closeUncached(this: object, ...args: unknown[]) {
    caches.delete(this);
    return close.apply(this, args);
  };
}
