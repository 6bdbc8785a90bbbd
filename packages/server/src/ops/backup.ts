/**
 * `outreach backup <file>`: a consistent snapshot of the embedded database while the server runs.
 * SQLite's `VACUUM INTO` reads in one transaction (WAL: writers carry on) and writes a compact,
 * self-contained copy. Written to `<file>.partial` first, so `<file>` is only ever complete.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '@outreach/shared';

export async function backupDatabase(
  db: Db,
  databaseUrl: string,
  file: string,
): Promise<{ file: string; bytes: number }> {
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(
      `outreach backup copies the embedded file database; ${databaseUrl.split('?')[0]} is a libSQL server: use its own backups (e.g. Turso point-in-time restore, sqld snapshots)`,
    );
  }
  const target = resolve(file);
  if (existsSync(target)) throw new Error(`${target} exists: choose a new file`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    await db.client.execute({ sql: 'VACUUM INTO ?', args: [partial] });
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return { file: target, bytes: statSync(target).size };
}
