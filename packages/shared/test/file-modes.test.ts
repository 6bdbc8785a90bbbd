import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { openDb, prepareDb } from '../src/db/client';
import { migrateDb } from '../src/db/migrate';

const root = mkdtempSync(join(tmpdir(), 'outreach-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('data at rest is the owner’s only', () => {
  it('the data folder, the database file, its WAL and SHM: 0700 / 0600', async () => {
    const dir = join(root, 'data', 'nested');
    const file = join(dir, 'outreach.db');
    const url = `file:${file}`;
    const db = openDb(url);
    try {
      await prepareDb(db, url);
      await migrateDb(db, url);
      await db.client.execute("INSERT INTO workspaces (project_name, created_at) VALUES ('m', 1)");
      expect(mode(join(root, 'data'))).toBe(0o700);
      expect(mode(dir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('the generated secret key: 0600 in a 0700 data folder', () => {
    const dataDir = join(root, 'fresh-data');
    const config = loadConfig({ OUTREACH_DATA_DIR: dataDir });
    expect(config.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'secret.key'))).toBe(0o600);
    expect(loadConfig({ OUTREACH_DATA_DIR: dataDir }).secretKey).toBe(config.secretKey);
  });
});
