/**
 * `db.read` (prepared-reads.ts): statements prepared once on a read connection of their own must
 * answer what the client answers, see every write committed before the call (no snapshot kept
 * between calls), never hold back a checkpoint, refuse writes, and stop with the database.
 */
import { openDb } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { tempDir } from '@outreach/testkit/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
  await deps.db.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n REAL)');
});
afterAll(() => deps.cleanup());

describe('db.read', () => {
  it('answers the rows the client answers, as arrays, with positional args of every type', async () => {
    await deps.db.client.execute({
      sql: 'INSERT INTO t (id, v, n) VALUES (1, ?, ?), (2, NULL, 2.5)',
      args: ['a', 1],
    });
    const sql = 'SELECT id, v, n, ? AS x, ? AS y FROM t WHERE id >= ? ORDER BY id';
    const args = [null, 'é"', 1];
    const viaClient = (await deps.db.client.execute({ sql, args })).rows.map((r) => Array.from(r));
    expect(await deps.db.read({ sql, args })).toEqual(viaClient);
    expect(viaClient).toEqual([
      [1, 'a', 1, null, 'é"'],
      [2, null, 2.5, null, 'é"'],
    ]);
  });

  it('sees each write committed before it, on the same prepared statement', async () => {
    const stmt = { sql: 'SELECT count(*), max(id) FROM t', args: [] };
    const before = (await deps.db.read(stmt))[0]!;
    for (let i = 10; i < 15; i++) {
      await deps.db.client.execute({ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [i, `w${i}`] });
      expect((await deps.db.read(stmt))[0]).toEqual([Number(before[0]) + i - 9, i]);
    }
    await deps.db.client.batch([{ sql: 'DELETE FROM t WHERE id >= 10', args: [] }], 'write');
    expect((await deps.db.read(stmt))[0]).toEqual(before);
  });

  it('keeps no read transaction between calls: a TRUNCATE checkpoint completes', async () => {
    for (let i = 0; i < 20; i++) await deps.db.read({ sql: 'SELECT * FROM t', args: [] });
    await deps.db.client.execute({ sql: "INSERT INTO t (id, v) VALUES (100, 'c')", args: [] });
    await deps.db.read({ sql: 'SELECT * FROM t WHERE id = ?', args: [100] });
    const rs = await deps.db.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(Number(rs.rows[0]![0])).toBe(0); // busy = 0: no reader held the WAL back
  });

  it('refuses statements that write, and reports SQL errors', async () => {
    await expect(deps.db.read({ sql: "INSERT INTO t (v) VALUES ('no')", args: [] })).rejects.toThrow(
      /only statements that return rows/,
    );
    await expect(
      deps.db.read({ sql: "INSERT INTO t (v) VALUES ('no') RETURNING id", args: [] }),
    ).rejects.toThrow(/readonly|read-only/i);
    expect((await deps.db.client.execute("SELECT count(*) FROM t WHERE v = 'no'")).rows[0]![0]).toBe(0);
    await expect(deps.db.read({ sql: 'SELECT nope FROM t', args: [] })).rejects.toThrow(/no such column/);
    // and goes on working after an error
    expect((await deps.db.read({ sql: 'SELECT 1', args: [] }))[0]).toEqual([1]);
  });

  it('stops with the database', async () => {
    const dir = tempDir('outreach-read-');
    const db = openDb(`file:${dir}/x.db`);
    expect(await db.read({ sql: 'SELECT 2', args: [] })).toEqual([[2]]);
    db.close();
    await expect(db.read({ sql: 'SELECT 2', args: [] })).rejects.toThrow(/closed/);
  });
});
