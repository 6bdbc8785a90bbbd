import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Db } from './client';
import { prepareDb } from './client';

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export async function migrateDb(db: Db, url: string): Promise<void> {
  await prepareDb(db, url);
  await migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
}
