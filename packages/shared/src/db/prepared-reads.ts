/**
 * Hot read statements prepared once per process and reused (file databases only).
 *
 * @libsql/client prepares every statement on every call and has no API to keep one: for the
 * one-statement list pages that is ~0.1 ms of each request (a third of libSQL's share in a CPU
 * profile). This keeps one read connection of its own, through the `libsql` package the client is
 * built on (the same native library and version), with a bounded cache of prepared statements by
 * SQL text. Only single read statements come here, each run to its end (so no snapshot is kept
 * between calls: the next call sees every commit made before it, and checkpoints are not held
 * back); writes and transactions stay on the client. Remote databases (`libsql:`, `https:`) go
 * through the client as before, so the hot paths stay single statements that work there too.
 */
import Database from 'libsql';

/** Distinct statements kept prepared (the hot paths use a handful; bounded against misuse). */
const MAX_STATEMENTS = 64;

type Stmt = ReturnType<Database.Database['prepare']>;

export class PreparedReads {
  private conn: Database.Database | null = null;
  private readonly stmts = new Map<string, Stmt>();
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  /** The rows of one read statement, each an array of its column values in order. */
  all(sql: string, args: readonly unknown[]): unknown[][] {
    if (this.closed) throw new Error('The database is closed');
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      this.conn ??= this.open();
      const prepared = this.conn.prepare(sql);
      if (!prepared.reader) throw new Error('PreparedReads: only statements that return rows');
      stmt = prepared.raw(true);
      if (this.stmts.size >= MAX_STATEMENTS) this.stmts.delete(this.stmts.keys().next().value!);
      this.stmts.set(sql, stmt);
    }
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
    this.stmts.clear();
    const conn = this.conn;
    this.conn = null;
    if (conn?.open) conn.close();
  }
}
