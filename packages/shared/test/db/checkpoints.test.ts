/**
 * Connection settings and WAL checkpoints on a real libSQL file: every connection the client
 * opens (also the ones it adds while a transaction holds the first) has `synchronous = NORMAL`
 * and no automatic checkpoint, and the checkpoint thread keeps the WAL from growing with what is
 * written.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/client';
import { migrateDb } from '../../src/db/migrate';

const dir = mkdtempSync(join(tmpdir(), 'outreach-checkpoints-'));
const path = join(dir, 'c.db');
const url = `file:${path}`;
let db: Db;

beforeAll(async () => {
  db = openDb(url);
  await migrateDb(db, url);
  await db.client.execute('CREATE TABLE blobs (id INTEGER PRIMARY KEY, v BLOB)');
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const setting = async (client: Pick<Db['client'], 'execute'>, name: string) =>
  Number((await client.execute(`PRAGMA ${name}`)).rows[0]![0]);

describe('connections and checkpoints', () => {
  it('sets up every connection: synchronous NORMAL, no automatic checkpoint', async () => {
    expect(await setting(db.client, 'synchronous')).toBe(1);
    expect(await setting(db.client, 'wal_autocheckpoint')).toBe(0);
    // a transaction holds one connection: the client opens another for the next statement
    const tx = await db.client.transaction('read');
    try {
      expect(await setting(tx, 'synchronous')).toBe(1);
      expect(await setting(db.client, 'synchronous')).toBe(1);
      expect(await setting(db.client, 'wal_autocheckpoint')).toBe(0);
    } finally {
      tx.close();
    }
  });

  it('checkpoints on its thread: the WAL stays far smaller than what was written', async () => {
    const wal = () => statSync(`${path}-wal`).size;
    const MB = 1024 * 1024;
    let written = 0;
    let largest = 0;
    // 20 MB over ~5 s, 1 MB at a time
    for (let i = 0; i < 20; i++) {
      await db.client.execute({ sql: 'INSERT INTO blobs (v) VALUES (randomblob(?))', args: [MB] });
      written += MB;
      largest = Math.max(largest, wal());
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(written).toBe(20 * MB);
    // without checkpoints the WAL holds all 20 MB; with one a second it restarts every second
    // (~4 MB; the bound leaves room for checkpoints slipping by seconds on a loaded machine)
    expect(largest).toBeLessThan(12 * MB);
    const [row] = (await db.client.execute('SELECT count(*) FROM blobs')).rows;
    expect(Number(row![0])).toBe(20);
  });
});
