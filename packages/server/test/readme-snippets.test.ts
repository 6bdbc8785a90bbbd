/**
 * The docs are code: every ```ts block of packages/sdk/README.md and README.md is compiled
 * (tsc, strict) and run against a real server, and every script in examples/ runs against it.
 * A block may use `client` (a configured SDK client), `id` (a campaign id) and `apiKey`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

const ROOT = resolve(import.meta.dirname, '../../..');
const DOCS = ['packages/sdk/README.md', 'README.md'];
// inside node_modules: resolves @outreach/sdk like the tests do, and neither git nor biome sees it
const OUT = join(ROOT, 'packages/server/node_modules/.snippets');
const ADMIN_TOKEN = 'admin-token-for-readme-snippets';
const exec = promisify(execFile);

interface Snippet {
  name: string;
  file: string;
  code: string;
  run: boolean;
}

/**
 * The ```ts blocks of a Markdown file. ```ts no-run marks a block that is compiled but not run
 * (it needs what a test machine lacks, e.g. DNS for a public webhook endpoint).
 */
export function tsBlocks(markdown: string): { code: string; run: boolean }[] {
  return [...markdown.matchAll(/^```ts( no-run)?\n([\s\S]*?)^```$/gm)].map((m) => ({
    code: m[2]!,
    run: !m[1],
  }));
}

/** A block as a module: its imports on top, its body in a function with the shared variables. */
function toModule(code: string): string {
  const lines = code.split('\n');
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of lines) (/^import\s/.test(line) ? imports : body).push(line);
  return `${imports.join('\n')}
import { prelude as __prelude } from './prelude';
export default async function run(): Promise<void> {
  const { client, id, apiKey } = await __prelude();
  void client; void id; void apiKey;
  {
${body.map((l) => `    ${l}`).join('\n')}
  }
}
`;
}

const snippets: Snippet[] = DOCS.flatMap((doc) =>
  tsBlocks(readFileSync(join(ROOT, doc), 'utf8')).map(({ code, run }, i) => {
    const name = `${doc.replace(/[^A-Za-z0-9]+/g, '_')}_${i + 1}`;
    return { name, file: join(OUT, `${name}.ts`), code, run };
  }),
);

let t: TestApp;
let server: ReturnType<typeof serve>;
let baseURL: string;

beforeAll(async () => {
  t = await makeTestApp({ config: { adminToken: ADMIN_TOKEN } });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    OUTREACH_URL: baseURL,
    OUTREACH_API_KEY: t.a.apiKey,
    OUTREACH_WORKSPACE_ID: String(t.a.workspaceId),
    OUTREACH_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    join(OUT, 'prelude.ts'),
    `import Outreach from '@outreach/sdk';
export async function prelude() {
  const apiKey = process.env.OUTREACH_API_KEY as string;
  const client = new Outreach();
  const { id } = await client.campaigns.create({ name: 'Snippet campaign' });
  return { client, id, apiKey };
}
`,
  );
  for (const s of snippets) writeFileSync(s.file, toModule(s.code));
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      include: ['*.ts'],
    }),
  );
});

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  t?.close();
});

describe('README snippets', () => {
  it('finds the snippets; nearly all of them run', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    expect(snippets.filter((s) => !s.run).length).toBeLessThanOrEqual(1);
  });

  it('every snippet compiles (tsc --strict)', async () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const out = await exec(tsc, ['-p', join(OUT, 'tsconfig.json')], { cwd: OUT, encoding: 'utf8' }).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
    );
    expect(out.stdout.replaceAll(`${OUT}/`, '')).toBe('');
  }, 120_000);

  it.each(snippets.filter((s) => s.run).map((s) => [s.name, s] as const))(
    '%s runs against the server',
    async (_name, s) => {
      const mod = (await import(s.file)) as { default: () => Promise<void> };
      await mod.default();
    },
  );
});

describe('examples/', () => {
  // scripts that run to the end; webhook-receiver.ts is a server, run by packages/sdk/test/webhooks.test.ts
  const scripts = ['quickstart.ts'];
  const elsewhere = ['webhook-receiver.ts'];

  it('every example is run by a test', () => {
    const all = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));
    expect(all.sort()).toEqual([...scripts, ...elsewhere].sort());
  });

  it.each(scripts)(
    '%s runs against the server',
    async (script) => {
      const tsx = join(ROOT, 'node_modules/.bin/tsx');
      const { stdout } = await exec(tsx, ['--conditions=@outreach/source', script], {
        cwd: join(ROOT, 'examples'),
        encoding: 'utf8',
        env: { ...process.env },
        timeout: 60_000,
      });
      expect(stdout).toMatch(/campaign cmp_/);
      expect(stdout).toMatch(/imported 2 contacts/);
      expect(stdout).toMatch(/preflight: /);
    },
    90_000,
  );
});
