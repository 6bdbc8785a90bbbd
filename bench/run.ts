/**
 * Runs benchmark files: `pnpm bench` runs every `bench/*.ts` (except this one), `pnpm bench imports
 * dispatch` only those. Each runs in its own Node process (so one's memory and peak RSS do not
 * colour another's), one after the other; extra Node flags can be passed with BENCH_NODE_OPTIONS.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const asked = process.argv.slice(2).map((a) => a.replace(/^bench\//, '').replace(/\.ts$/, ''));
const unknown = asked.filter((a) => !all.includes(a));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of asked.length > 0 ? asked : all) {
  console.log(`\n=== bench/${name}.ts`);
  const flags = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const res = spawnSync(process.execPath, [...flags, '--import', 'tsx', join(here, `${name}.ts`)], {
    stdio: 'inherit',
    cwd: join(here, '..'),
  });
  if (res.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts exited with ${res.status ?? res.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
