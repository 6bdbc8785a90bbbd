/**
 * Inbox classifier throughput (prints figures; not a timed assertion in CI), on one core:
 * 1. `classify` alone on the fixture set's parsed messages (packages/shared/test/fixtures/inbox),
 * 2. `parseMessage` + `classify` from the raw bytes,
 * 3. the same two on the shared corpus (../shared/corpus) when it is there.
 * Each pass runs for about BENCH_SECONDS (default 3) after a warm-up pass; messages/s per kind too.
 * Rates are per second of this process's CPU time (what one core does; on a shared, loaded machine
 * the wall-clock rate, printed beside it, also counts the time spent waiting for a core).
 *
 * Run: `npx tsx bench/classify.ts` (or `pnpm bench classify`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { classify } from '@outreach/shared/domain/inbox/classify';
import { parseMessage } from '@outreach/shared/domain/inbox/parse';
import type { ParsedMessage } from '@outreach/shared/domain/inbox/types';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

function load(dir: string, ext: string): Buffer[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

/** Runs `pass` for about SECONDS; messages per CPU second and per wall-clock second. */
async function measure(pass: () => Promise<number>): Promise<{ cpu: number; wall: number }> {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) n += await pass();
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu0);
  return { cpu: n / ((used.user + used.system) / 1e6), wall: n / wall };
}

function show(r: { cpu: number; wall: number }): string {
  const f = (x: number) => Math.round(x).toLocaleString('en');
  return `${f(r.cpu)} msg/s per CPU second (${f(r.wall)} msg/s wall clock)`;
}

async function run(name: string, raws: Buffer[]): Promise<void> {
  const parsed: ParsedMessage[] = [];
  for (const r of raws) parsed.push(await parseMessage(r));
  const byKind = new Map<string, ParsedMessage[]>();
  for (const p of parsed) {
    const k = classify(p).kind;
    byKind.set(k, [...(byKind.get(k) ?? []), p]);
  }
  const rate = (msgs: ParsedMessage[]) =>
    measure(async () => {
      for (const p of msgs) classify(p);
      return msgs.length;
    });
  await rate(parsed); // warm-up
  console.log(`${name}: ${raws.length} messages`);
  console.log(`  classify:          ${show(await rate(parsed))}`);
  for (const [kind, msgs] of [...byKind].sort()) {
    console.log(`    ${kind.padEnd(13)} ${String(msgs.length).padStart(4)} msgs  ${show(await rate(msgs))}`);
  }
  const both = await measure(async () => {
    for (const r of raws) classify(await parseMessage(r));
    return raws.length;
  });
  console.log(`  parse + classify:  ${show(both)}`);
}

await run('fixtures', load(join(here, '../packages/shared/test/fixtures/inbox'), '.eml'));
const corpus = join(here, '../../shared/corpus/sisimai/bsd');
if (existsSync(corpus)) await run('sisimai corpus (development half)', load(corpus, '.eml'));
else console.log(`corpus not found at ${corpus}: skipped`);
