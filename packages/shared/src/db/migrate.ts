import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Db } from './client';
import { prepareDb } from './client';

/**
 * The SQL migrations: `OUTREACH_MIGRATIONS_DIR`, else `drizzle/` next to the bundle (the built
 * `outreach` bin and the npm package ship it beside `dist/cli.js`), else this package's own
 * `drizzle/` (running the sources from a checkout).
 */
function migrationsFolder(): string {
  if (process.env.OUTREACH_MIGRATIONS_DIR) return process.env.OUTREACH_MIGRATIONS_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'drizzle');
  if (existsSync(join(bundled, 'meta/_journal.json'))) return bundled;
  return join(here, '../../drizzle');
}

export const MIGRATIONS_FOLDER = migrationsFolder();

export async function migrateDb(db: Db, url: string): Promise<void> {
  await prepareDb(db, url);
  await migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
}

let shipped: number[] | undefined;

/**
 * Migrations this code ships that the database has not applied (drizzle applies every migration
 * newer than the newest one recorded, so comparing the newest timestamps is the migrator's rule).
 */
export async function pendingMigrations(db: Db): Promise<number> {
  shipped ??= readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((f) => f.folderMillis);
  let applied = 0;
  try {
    const res = await db.client.execute('SELECT max(created_at) AS at FROM __drizzle_migrations');
    applied = Number(res.rows[0]?.at ?? 0);
  } catch (err) {
    if (!/no such table/.test(String((err as Error).message))) throw err;
  }
  return shipped.filter((at) => at > applied).length;
}
