/**
 * Where a process's CPU went, from the `.cpuprofile` files `node --cpu-prof` writes: self time by
 * area (the libSQL native wrapper and @libsql/client, drizzle, Hono, zod, node's HTTP, GC, ours)
 * and the functions with the most self time. Idle time and start-up are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: [string, RegExp][] = [
  ['libsql (native wrapper)', /node_modules\/.*\/libsql\/|\(native libsql\)/],
  ['@libsql/client', /@libsql\/(client|core)/],
  ['drizzle-orm', /drizzle-orm/],
  ['zod / zod-openapi', /\/zod\/|zod-openapi/],
  ['hono + node-server', /\/hono\/|@hono\/node-server/],
  ['node: http/net/streams', /^node:(_http|http|net|stream|internal\/(http|streams|stream_base|net))/],
  ['node: other', /^node:/],
  ['outreach (packages/)', /\/packages\//],
];

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program: native, unattributed)';
    // native functions called from a module show with no url: credit them to their caller below
    return '';
  }
  for (const [name, re] of AREAS) if (re.test(url)) return name;
  return 'other JS';
}

/** Prints the summary of every profile in `dir` taken together. */
export function summariseProfiles(dir: string, top = 12): void {
  const selfByArea = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, ProfileNode>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const areaOf = (n: ProfileNode): string => {
      let cur: ProfileNode | undefined = n;
      while (cur) {
        const a = area(cur);
        if (a) return a;
        cur = parent.get(cur.id);
      }
      return 'other JS';
    };
    // start-up (tsx compiling the sources) is not the requests' cost: count from the first
    // sample inside node's HTTP parser callback on
    const serving = (n: ProfileNode): boolean => {
      for (let cur: ProfileNode | undefined = n; cur; cur = parent.get(cur.id))
        if (/^parserOn/.test(cur.callFrame.functionName)) return true;
      return false;
    };
    let started = false;
    p.samples.forEach((id, i) => {
      const n = byId.get(id)!;
      started ||= serving(n);
      if (!started || n.callFrame.functionName === '(idle)') return;
      const dt = p.timeDeltas[i] ?? 0;
      total += dt;
      const a = areaOf(n);
      selfByArea.set(a, (selfByArea.get(a) ?? 0) + dt);
      const where = n.callFrame.url
        ? `${n.callFrame.url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')}:${n.callFrame.lineNumber + 1}`
        : a;
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
      selfByFn.set(fn, (selfByFn.get(fn) ?? 0) + dt);
    });
  }
  const pct = (v: number) => `${((100 * v) / Math.max(1, total)).toFixed(1).padStart(5)} %`;
  console.log(`    busy ${(total / 1e6).toFixed(2)} s sampled; self time by area:`);
  for (const [a, v] of [...selfByArea].sort((x, y) => y[1] - x[1])) console.log(`      ${pct(v)}  ${a}`);
  console.log('    top functions (self):');
  for (const [f, v] of [...selfByFn].sort((x, y) => y[1] - x[1]).slice(0, top))
    console.log(`      ${pct(v)}  ${f}`);
}
