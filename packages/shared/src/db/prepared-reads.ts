/**
 * Hot read statements on a read-only connection of their own (file databases only).
 *
 * The hot list pages, stats and key lookups are single read statements: this runs them through
 * the `libsql` package the client is built on (the same native library and version), answering
 * plain arrays instead of the client's row objects. The statements stay prepared by the
 * per-connection statement cache (statement-cache.ts) that every connection of the process has.
 * Each statement runs to its end (no snapshot is kept between calls: the next call sees every
 * commit made before it, and checkpoints are not held back); writes and transactions stay on the
 * client. Remote databases (`libsql:`, `https:`) go through the client, so the hot paths stay
 * single statements that work there too.
 */
import Database from 'libsql';

export class PreparedReads {
  private conn: Database.Database | null = null;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  /** The rows of one read statement, each an array of its column values in order. */
  all(sql: string, args: readonly unknown[]): unknown[][] {
    if (this.closed) throw new Error('The database is closed');
    this.conn ??= this.open();
    // prepare() answers from the connection's statement cache (statement-cache.ts) after the first call
    const prepared = this.conn.prepare(sql);
    if (!prepared.reader) throw new Error('PreparedReads: only statements that return rows');
    const stmt = prepared.raw(true);
    try {
      // one array argument: positional parameters, whatever their values
      return (stmt.all as (params: unknown[]) => unknown[][])([...args]);
    } catch (err) {
      // a busy or broken connection is not reused (as the client is renewed after SQLITE_BUSY)
      this.drop();
      throw err;
    }
  }

  private open(): Database.Database {
    const conn = new Database(this.path, { timeout: this.timeoutMs } as never);
    // this connection never writes, whatever it is handed (`INSERT … RETURNING` returns rows)
    conn.exec('PRAGMA query_only = ON');
    return conn;
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  private drop(): void {
    const conn = this.conn;
    this.conn = null;
    if (conn?.open) conn.close();
  }
}
