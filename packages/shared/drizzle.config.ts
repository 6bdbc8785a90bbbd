import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './packages/shared/src/db/schema/index.ts',
  out: './packages/shared/drizzle',
  dbCredentials: { url: 'file::memory:' },
});
