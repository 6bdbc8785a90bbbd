/**
 * The production build: `src/cli.ts` and everything of ours it imports (@outreach/shared,
 * @outreach/worker) bundled into `dist/cli.js`, run by plain Node. Third-party packages stay
 * external and become the dependencies of the package written beside it (`dist/package.json`),
 * pinned to the versions this checkout tested. The SQL migrations are copied to `dist/drizzle`,
 * where `MIGRATIONS_FOLDER` looks first. `npm pack dist` makes the installable package.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGES = join(HERE, '..');
const BUNDLED = ['server', 'worker', 'shared'];
/** needed at run time by the checkout only (the bin runs the sources through tsx). */
const DEV_ONLY = new Set(['tsx']);

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** Every third-party runtime dependency of the bundled packages, at the version installed here. */
function runtimeDependencies(): Record<string, string> {
  const deps: Record<string, string> = {};
  for (const pkg of BUNDLED) {
    const dir = join(PACKAGES, pkg);
    for (const name of Object.keys(readJson(join(dir, 'package.json')).dependencies ?? {})) {
      if (name.startsWith('@outreach/') || DEV_ONLY.has(name)) continue;
      deps[name] = readJson(join(dir, 'node_modules', name, 'package.json')).version;
    }
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

const dependencies = runtimeDependencies();

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  splitting: false,
  sourcemap: true,
  // our workspace packages are bundled (they are never published); the rest is installed
  noExternal: [/^@outreach\//],
  external: Object.keys(dependencies),
  banner: { js: '#!/usr/bin/env node' },
  esbuildOptions(options) {
    options.conditions = ['@outreach/source'];
  },
  async onSuccess() {
    const dist = join(HERE, 'dist');
    const migrations = join(dist, 'drizzle');
    rmSync(migrations, { recursive: true, force: true });
    cpSync(join(PACKAGES, 'shared/drizzle'), migrations, { recursive: true });
    const root = readJson(join(PACKAGES, '..', 'package.json'));
    const version = readJson(join(HERE, 'package.json')).version ?? '0.0.0';
    const manifest = {
      name: '@outreach/server',
      version,
      description: 'Self-hosted, API-first cold-email outreach server: the `outreach` command',
      license: 'MIT',
      type: 'module',
      bin: { outreach: './cli.js' },
      files: ['cli.js', 'cli.js.map', 'drizzle', 'README.md'],
      engines: { node: root.engines?.node ?? '>=20' },
      dependencies,
    };
    writeFileSync(join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const readme = join(PACKAGES, '..', 'README.md');
    if (existsSync(readme)) cpSync(readme, join(dist, 'README.md'));
  },
});
