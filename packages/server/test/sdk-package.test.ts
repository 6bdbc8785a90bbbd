/**
 * The SDK as a user gets it: `pnpm pack` (its prepack build), publint and attw on the tarball,
 * the tarball installed with npm into a temp folder, then used against a real server from ESM,
 * CommonJS and TypeScript (`tsc --strict`, node16 and bundler resolution).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { removeTempDir, tempDir } from '@outreach/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

const ROOT = resolve(import.meta.dirname, '../../..');
const SDK = join(ROOT, 'packages/sdk');
const BIN = join(ROOT, 'node_modules/.bin');
const exec = promisify(execFile);
async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const env = { ...process.env, CI: 'true' };
    return (await exec(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000, env })).stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

let t: TestApp;
let server: ReturnType<typeof serve>;
let baseURL: string;
let dir: string;
let tarball: string;
let app: string;

beforeAll(async () => {
  t = await makeTestApp();
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = tempDir('sdk-package-');
  await sh('pnpm', ['pack', '--pack-destination', dir], SDK);
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
}, 240_000);

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  t?.close();
  if (dir) removeTempDir(dir);
});

describe('the packed @outreach/sdk', () => {
  it('is clean for publint and @arethetypeswrong/cli', async () => {
    expect(await sh(join(BIN, 'publint'), ['--strict', tarball], dir)).toContain('All good');
    expect(await sh(join(BIN, 'attw'), [tarball, '--format', 'json'], dir)).toMatch(/"problems":\s*\{\s*\}/);
  }, 120_000);

  it('publishes a manifest without the source condition, with engines, repository and sideEffects', async () => {
    const pkg = JSON.parse(await sh('tar', ['-xzOf', tarball, 'package/package.json'], dir));
    expect(JSON.stringify(pkg)).not.toContain('@outreach/source');
    expect(JSON.stringify(pkg.exports)).not.toContain('src/');
    expect(pkg).toMatchObject({ sideEffects: false, engines: { node: expect.any(String) } });
    expect(pkg.repository.url).toMatch(/^git\+https:/);
    const files = (await sh('tar', ['-tzf', tarball], dir)).split('\n').filter(Boolean);
    const targets = JSON.stringify(pkg.exports)
      .match(/"\.\/[^"]+"/g)!
      .map((s) => `package/${s.slice(3, -1)}`);
    for (const f of targets) expect(files, f).toContain(f);
  });

  it('ESM: import default and named, APIPromise, withResponse, errors', async () => {
    const file = join(app, 'esm.mjs');
    writeFileSync(
      file,
      `import Outreach, { NotFoundError, Outreach as Named, VERSION } from '@outreach/sdk';
const client = new Outreach({ apiKey: ${JSON.stringify(t.a.apiKey)}, baseURL: ${JSON.stringify(baseURL)} });
const created = await client.campaigns.create({ name: 'From ESM' });
const { data, response, requestId } = await client.campaigns.get(created.id).withResponse();
const err = await client.campaigns.get('cmp_missing').catch((e) => e);
console.log(JSON.stringify({ same: Named === Outreach, name: data.name, status: response.status, requestId,
  notFound: err instanceof NotFoundError && err instanceof Outreach.NotFoundError, VERSION }));`,
    );
    const out = JSON.parse(await sh(process.execPath, [file], app));
    expect(out).toMatchObject({
      same: true,
      name: 'From ESM',
      status: 200,
      notFound: true,
      VERSION: '0.1.0',
    });
    expect(out.requestId).toMatch(/\S/);
  });

  it('CommonJS: require() is the constructor, with .Outreach, .default and the error classes', async () => {
    const file = join(app, 'cjs.cjs');
    writeFileSync(
      file,
      `const Outreach = require('@outreach/sdk');
const { NotFoundError } = require('@outreach/sdk');
const client = new Outreach({ apiKey: ${JSON.stringify(t.a.apiKey)}, baseURL: ${JSON.stringify(baseURL)} });
client.campaigns.create({ name: 'From CJS' }).then(async (c) => {
  const err = await client.campaigns.get('cmp_missing').catch((e) => e);
  console.log(JSON.stringify({ fn: typeof Outreach, self: Outreach.Outreach === Outreach, dflt: Outreach.default === Outreach,
    name: c.name, notFound: err instanceof NotFoundError && NotFoundError === Outreach.NotFoundError }));
});`,
    );
    expect(JSON.parse(await sh(process.execPath, [file], app))).toEqual({
      fn: 'function',
      self: true,
      dflt: true,
      name: 'From CJS',
      notFound: true,
    });
  });

  it('TypeScript --strict compiles with node16 (ESM and CJS) and bundler resolution, and the CJS output runs', async () => {
    const typed = `import Outreach, { type Campaign, NotFoundError, type WithResponse } from '@outreach/sdk';
export async function main(apiKey: string, baseURL: string): Promise<string> {
  const client = new Outreach({ apiKey, baseURL, maxRetries: 1, timeout: 5000 });
  const c: Campaign = await client.campaigns.create({ name: 'From TS', priority: 'HIGH' });
  const w: WithResponse<Campaign> = await client.campaigns.get(c.id).withResponse();
  const raw: Response = await client.campaigns.get(c.id).asResponse();
  const async: boolean = raw.status > 999;
  const launch = client.campaigns.launch(c.id, { async }).catch((e: unknown) => e instanceof Outreach.ConflictError);
  // @ts-expect-error: priority is an enum
  client.campaigns.create({ name: 'x', priority: 'URGENT' }).catch(() => {});
  const missing = await client.campaigns.get('cmp_missing').catch((e: unknown) => e instanceof NotFoundError);
  return JSON.stringify({ name: w.data.name, status: raw.status, launchRefused: await launch, missing });
}
`;
    writeFileSync(join(app, 'typed.mts'), typed);
    writeFileSync(join(app, 'typed.cts'), typed); // compiled to CommonJS: `require('@outreach/sdk').default`
    writeFileSync(join(app, 'bundler.ts'), typed);
    const base = { strict: true, target: 'es2022', skipLibCheck: false, lib: ['es2022', 'dom'], types: [] };
    const configs = {
      'tsconfig.node16.json': {
        compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16', outDir: 'out' },
        files: ['typed.mts', 'typed.cts'],
      },
      'tsconfig.bundler.json': {
        compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
        files: ['bundler.ts'],
      },
    };
    for (const [name, cfg] of Object.entries(configs)) {
      writeFileSync(join(app, name), JSON.stringify(cfg));
      await sh(join(BIN, 'tsc'), ['-p', name], app);
    }
    // the CommonJS TypeScript output (`require(...).default`) runs against the server
    writeFileSync(
      join(app, 'run-cts.cjs'),
      `require('./out/typed.cjs').main(${JSON.stringify(t.a.apiKey)}, ${JSON.stringify(baseURL)}).then(console.log);`,
    );
    expect(JSON.parse(await sh(process.execPath, ['run-cts.cjs'], app))).toEqual({
      name: 'From TS',
      status: 200,
      launchRefused: true,
      missing: true,
    });
  }, 300_000);
});
