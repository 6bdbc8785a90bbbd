import { execFile, execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startPeer } from './peer';

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// inside the package so the built files resolve openapi-fetch as an installed copy would
const OUT = join(SDK, 'node_modules', '.build-test');
// async: the peer answering the built client runs in this process
const run = async (args: string[]) =>
  (await promisify(execFile)(process.execPath, args, { encoding: 'utf8', timeout: 20_000 })).stdout;

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('published build', () => {
  it('tsup emits ESM, CJS and types that load in Node and reach a server', async () => {
    execFileSync(
      join(SDK, 'node_modules', '.bin', 'tsup'),
      ['src/index.ts', '--format', 'esm,cjs', '--dts', '--target', 'es2022', '--out-dir', OUT, '--silent'],
      { cwd: SDK, stdio: 'pipe' },
    );
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'])
      expect(existsSync(join(OUT, f)), f).toBe(true);

    const p = await startPeer(() => ({
      status: 404,
      body: { code: 'not_found', detail: 'no', requestId: 'r1' },
    }));
    try {
      const script = (load: string) =>
        `${load}; const c = new Outreach({ apiKey: 'k', baseUrl: '${p.url}', maxRetries: 0 });` +
        ` c.campaigns.get('cmp_1').catch((e) => { console.log(JSON.stringify([isDefault, e instanceof NotFoundError, e.code, e.requestId])); });`;
      const cjs = await run([
        '-e',
        script(
          `const m = require(${JSON.stringify(join(OUT, 'index.cjs'))}); const { Outreach, NotFoundError } = m; const isDefault = m.default === Outreach`,
        ),
      ]);
      expect(JSON.parse(cjs)).toEqual([true, true, 'not_found', 'r1']);
      const esm = await run([
        '--input-type=module',
        '-e',
        script(
          `import Outreach, { NotFoundError, Outreach as Named } from ${JSON.stringify(join(OUT, 'index.js'))}; const isDefault = Named === Outreach`,
        ),
      ]);
      expect(JSON.parse(esm)).toEqual([true, true, 'not_found', 'r1']);
    } finally {
      await p.close();
    }
  }, 60_000);
});
