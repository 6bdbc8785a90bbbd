/**
 * The package that installs: build (tsup), `npm pack` the publish folder, `npm install` the
 * tarball into an empty folder, run `npx outreach start` there on a temp data folder (plain Node,
 * no TypeScript tooling), and walk a campaign through the SDK until its message arrives over SMTP.
 * The Dockerfile runs the same build / pack / install commands.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Outreach } from '@outreach/sdk';
import {
  dovecotInstalled,
  type RunningOutreach,
  startDovecot,
  startOutreach,
  startSmtpServer,
  type TestDovecot,
  type TestSmtpServer,
  tempDir,
} from '@outreach/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAILBOX = 'john@cooloutreach.test';

let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let server: RunningOutreach | undefined;
let installDir: string;
let installMs = 0;

beforeAll(async () => {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  smtp = await startSmtpServer({ users: { [MAILBOX]: 'smtp-pw' } });
  dovecot = await startDovecot({ john: 'imap-pw' });

  // pnpm --filter @outreach/server build
  execFileSync(process.execPath, [join(SERVER, 'node_modules/tsup/dist/cli-default.js')], {
    cwd: SERVER,
    stdio: 'pipe',
  });
  const packDir = tempDir('outreach-pack-');
  execFileSync('npm', ['pack', join(SERVER, 'dist'), '--pack-destination', packDir], { stdio: 'pipe' });
  const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);

  installDir = tempDir('outreach-install-');
  writeFileSync(join(installDir, 'package.json'), '{"private":true}\n');
  const t0 = Date.now();
  const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: installDir,
    encoding: 'utf8',
    timeout: 170_000,
  });
  installMs = Date.now() - t0;
  if (res.status !== 0) throw new Error(`npm install failed (${res.status ?? res.signal}): ${res.stderr}`);
  console.log(`npm install of the packed server took ${installMs} ms`);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

describe('the packed @outreach/server', () => {
  it('installs with npm: the bin, the bundle and the migrations, and no TypeScript tooling', () => {
    const pkgDir = join(installDir, 'node_modules/@outreach/server');
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ outreach: './cli.js' });
    expect(Object.keys(manifest.dependencies)).toContain('@libsql/client');
    expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith('@outreach/'))).toEqual([]);
    expect(existsSync(join(pkgDir, 'drizzle/meta/_journal.json'))).toBe(true);
    expect(existsSync(join(installDir, 'node_modules/.bin/outreach'))).toBe(true);
    for (const tool of ['tsx', 'typescript', 'esbuild']) {
      expect(existsSync(join(installDir, 'node_modules', tool)), tool).toBe(false);
    }
  });

  it('`npx outreach start` runs there and a campaign walked through the SDK sends its message', async () => {
    const dataDir = tempDir('outreach-pkg-data-');
    server = await startOutreach({
      bin: ['npx', '--no', 'outreach'],
      cwd: installDir,
      processGroup: true,
      env: {
        OUTREACH_DATA_DIR: dataDir,
        OUTREACH_DISPATCH_INTERVAL_MS: '200',
        OUTREACH_INBOX_POLL_SECONDS: '3600',
        OUTREACH_LOG_LEVEL: 'info',
      },
      timeoutMs: 60_000,
    });
    expect(existsSync(join(dataDir, 'outreach.db'))).toBe(true);
    // ready once the worker process reported its loops
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await fetch(`${server.baseUrl}/ready`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);

    const client = new Outreach({
      apiKey: server.apiKey,
      baseUrl: server.baseUrl,
      workspaceId: server.workspaceId,
    });
    const campaign = await client.campaigns.create({ name: 'Packaged' });
    await client.steps.create(campaign.id, {
      order: 1,
      subject: 'Quick question about {{company}}',
      bodyHtml: '<p>Hi {{firstName}}</p>',
    });
    const imported = await client.contacts.import(
      campaign.id,
      'email,firstName,company\nsarah@acme.test,Sarah,Acme\n',
      {
        fileName: 'leads.csv',
      },
    );
    expect(imported.imported).toBe(1);
    const mailbox = await client.mailboxes.create({
      address: MAILBOX,
      firstName: 'John',
      dailyLimit: 100,
      smtp: { host: smtp.host, port: smtp.port, secure: false, username: MAILBOX, password: 'smtp-pw' },
      imap: { host: dovecot.host, port: dovecot.port, secure: false, username: 'john', password: 'imap-pw' },
    });
    expect((await client.mailboxes.verify(mailbox.id)).lastCheck).toMatchObject({
      smtp: { ok: true },
      imap: { ok: true },
    });
    await client.campaigns.mailboxes.create(campaign.id, {
      mailboxAddress: MAILBOX,
      dailyLimit: 100,
      weight: 100,
      gapBaseSeconds: 0,
      gapJitterSeconds: 0,
    });
    await client.campaigns.setSchedule(campaign.id, {
      timezone: 'UTC',
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      windows: [{ start: '00:00', end: '24:00' }],
    });
    expect(await client.campaigns.launch(campaign.id)).toMatchObject({ ok: true, status: 'launched' });

    const [message] = await smtp.waitFor(1, 30_000);
    expect(message!.envelope.to).toEqual(['sarah@acme.test']);
    expect(message!.parsed.subject).toBe('Quick question about Acme');

    // npx does not pass SIGTERM on: the group gets it, and the server itself stops gracefully
    const pid = Number(/"workerId":"wrk_(\d+)_/.exec(server.output().stderr)?.[1]);
    expect(pid, server.output().stderr.slice(0, 2000)).toBeGreaterThan(0);
    await server.stop(15_000);
    const stderr = server.output().stderr;
    server = undefined;
    expect(stderr).toContain('"msg":"stopped"');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  }, 120_000);
});
