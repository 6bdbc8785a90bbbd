import { defineConfig } from 'vitest/config';

// `@outreach/source`: workspace packages (the SDK) resolve to their TypeScript sources, no build needed.
const conditions = ['@outreach/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
