import { defineConfig } from 'vitest/config';

// `@outreach/source`: workspace packages (the SDK) resolve to their TypeScript sources, no build needed.
const conditions = ['@outreach/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    pool: 'forks',
    // vitest's default is one fork per core minus one: a single fork on the 2-core CI machine, where most
    // test time is waiting on child processes, SMTP, IMAP and npm (measured: 563 s with 1, 300 s with 2)
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
