/**
 * The running server as a process: `outreach backup` during a send run gives a copy a second
 * server serves in full; SIGTERM during a send run stops taking requests, lets the sends finish
 * and exits 0 with nothing left `sending` or settled `interrupted`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Outreach } from '@outreach/sdk';
import { openDb } from '@outreach/shared';
import {
  dovecotInstalled,
  freePort,
  OUTREACH_BIN,
  type RunningOutreach,
  startDovecot,
  startOutreach,
  startSmtpServer,
  type TestDovecot,
  type TestSmtpServer,
  tempDir,
} from '@outreach/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';

const MAILBOX = 'john@cooloutreach.test';
const SMTP_PASSWORD = 'smtp-app-password';
const CONTACTS = 60;
/** each message waits this long for its 250: a run of 60 takes ~15 s, so we act in the middle of it. */
const SMTP_DELAY_MS = 250;

let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let server: RunningOutreach;
let client: Outreach;

beforeAll(async () => {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  smtp = await startSmtpServer({ users: { [MAILBOX]: SMTP_PASSWORD }, dataDelayMs: SMTP_DELAY_MS });
  dovecot = await startDovecot({ john: 'imap-pw' });
  const port = await freePort();
  server = await startOutreach({
    env: {
      PORT: String(port),
      OUTREACH_DISPATCH_INTERVAL_MS: '200',
      OUTREACH_INBOX_POLL_SECONDS: '3600',
      OUTREACH_LOG_LEVEL: 'info',
    },
  });
  client = new Outreach({ apiKey: server.apiKey, baseUrl: server.baseUrl, workspaceId: server.workspaceId });
  const mailbox = await client.mailboxes.create({
    address: MAILBOX,
    firstName: 'John',
    dailyLimit: 1000,
    smtp: { host: smtp.host, port: smtp.port, secure: false, username: MAILBOX, password: SMTP_PASSWORD },
    imap: { host: dovecot.host, port: dovecot.port, secure: false, username: 'john', password: 'imap-pw' },
  });
  await client.mailboxes.verify(mailbox.id);
}, 90_000);

beforeEach(() => {
  onTestFailed(() => {
    const { stdout, stderr } = server?.output() ?? { stdout: '', stderr: '' };
    console.error(`outreach output:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  });
});

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A launched campaign of `CONTACTS` contacts, one step, no gap: one long send run. */
async function launchRun(name: string): Promise<string> {
  const campaign = await client.campaigns.create({ name });
  await client.steps.create(campaign.id, {
    order: 1,
    subject: 'Hello {{firstName}}',
    bodyHtml: '<p>Hi {{firstName}}</p>',
  });
  const csv = [
    'email,firstName',
    ...Array.from({ length: CONTACTS }, (_, i) => `${name}-${i}@prospects.test,P${i}`),
  ].join('\n');
  await client.contacts.import(campaign.id, csv, { fileName: `${name}.csv` });
  await client.campaigns.mailboxes.create(campaign.id, {
    mailboxAddress: MAILBOX,
    dailyLimit: 1000,
    weight: 100,
    gapBaseSeconds: 0,
    gapJitterSeconds: 0,
  });
  await client.campaigns.setSchedule(campaign.id, {
    timezone: 'UTC',
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    windows: [{ start: '00:00', end: '24:00' }],
  });
  await client.campaigns.launch(campaign.id);
  return campaign.id;
}

const arrivedFor = (name: string) =>
  smtp.messages.filter((m) => m.envelope.to[0]!.startsWith(`${name}-`)).length;

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [OUTREACH_BIN, ...args], {
    cwd: env.OUTREACH_DATA_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, stdout, stderr })));
}

const ids = async (it: AsyncIterable<{ id: string }>) => {
  const out: string[] = [];
  for await (const x of it) out.push(x.id);
  return out.sort();
};

describe('outreach backup', () => {
  it('snapshots the database during a send run; a server on the copy finds every row', async () => {
    const campaignId = await launchRun('backup');
    await until('the first messages', () => arrivedFor('backup') >= 3);

    const dir = tempDir('outreach-backup-');
    const file = join(dir, 'snapshot.db');
    const res = await runCli(['backup', file], {
      OUTREACH_DATA_DIR: server.dataDir,
      OUTREACH_LOG_LEVEL: 'warn',
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Backed up file:.* to .*snapshot\.db \(\d+ bytes\)/);
    expect(existsSync(`${file}.partial`)).toBe(false);
    // a second backup never overwrites
    expect((await runCli(['backup', file], { OUTREACH_DATA_DIR: server.dataDir })).code).toBe(1);

    const copyDb = openDb(`file:${file}`);
    const copy = copyDb.client;
    expect((await copy.execute('PRAGMA integrity_check')).rows[0]![0]).toBe('ok');
    const rowsOf = async (sql: string) => (await copy.execute(sql)).rows.map((r) => String(r[0])).sort();
    const contacts = await rowsOf(`SELECT id FROM contacts WHERE campaign_id = '${campaignId}'`);
    const sends = await rowsOf(`SELECT id FROM sends WHERE campaign_id = '${campaignId}'`);
    const inFlightOrSent = (
      await rowsOf(
        `SELECT id FROM sends WHERE campaign_id = '${campaignId}' AND status IN ('sending', 'sent')`,
      )
    ).length;
    const sentInCopy = (
      await rowsOf(`SELECT id FROM sends WHERE campaign_id = '${campaignId}' AND status = 'sent'`)
    ).length;
    copyDb.close();
    expect(contacts).toHaveLength(CONTACTS);
    // taken in the middle of the run (a chunk of sends is recorded `sent` together once its SMTP run ends)
    expect(sends).toHaveLength(CONTACTS);
    expect(inFlightOrSent).toBeGreaterThan(0);
    expect(sentInCopy).toBeLessThan(CONTACTS);

    // restore as the README says: the copy as outreach.db beside the same secret key
    const restored = tempDir('outreach-restored-');
    copyFileSync(file, join(restored, 'outreach.db'));
    copyFileSync(join(server.dataDir, 'secret.key'), join(restored, 'secret.key'));
    const second = await startOutreach({
      command: 'serve',
      env: { OUTREACH_DATA_DIR: restored },
      credentials: { apiKey: server.apiKey, workspaceId: server.workspaceId },
    });
    try {
      const c2 = new Outreach({
        apiKey: server.apiKey,
        baseUrl: second.baseUrl,
        workspaceId: server.workspaceId,
      });
      expect((await c2.campaigns.get(campaignId)).id).toBe(campaignId);
      expect(await ids(c2.contacts.list(campaignId))).toEqual(contacts);
      expect(await ids(c2.sends.list(campaignId))).toEqual(sends);
      const addresses: string[] = [];
      for await (const m of c2.mailboxes.list()) addresses.push(m.address);
      expect(addresses).toEqual([MAILBOX]);
    } finally {
      await second.stop();
    }
  }, 150_000);
});

describe('/ready of outreach start (API and worker in processes of their own)', () => {
  it("includes the worker process's loops; a worker process that stops reporting makes it 503", async () => {
    const ready = async () => {
      const res = await fetch(`${server.baseUrl}/ready`);
      return {
        status: res.status,
        body: (await res.json()) as { checks: { name: string; ok: boolean; detail?: string }[] },
      };
    };
    const ok = await until('/ready 200', async () => ((await ready()).status === 200 ? ready() : null));
    expect(ok.body.checks).toContainEqual({ name: 'worker', ok: true });
    expect(ok.body.checks).toContainEqual({ name: 'loop:dispatch', ok: true });

    const started = server
      .output()
      .stderr.split('\n')
      .find((l) => l.includes('"msg":"worker started"'));
    const pid = Number(/"workerId":"wrk_(\d+)_/.exec(started ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    try {
      const stalled = await until('/ready 503', async () => {
        const r = await ready();
        return r.status === 503 ? r : null;
      });
      expect(stalled.body.checks).toContainEqual(
        expect.objectContaining({
          name: 'worker',
          ok: false,
          detail: expect.stringMatching(/^no report from the worker process for \d+ ms$/),
        }),
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until('/ready 200 again', async () => (await ready()).status === 200);
  }, 60_000);
});

describe('/metrics of outreach start', () => {
  it("answers for the whole cluster: the worker process's SMTP and loop counters beside the API's", async () => {
    const mailboxIds: string[] = [];
    for await (const m of client.mailboxes.list()) mailboxIds.push(m.id);
    await fetch(`${server.baseUrl}/ready`);
    let text = '';
    const line = (...parts: string[]) => text.split('\n').find((l) => parts.every((p) => l.includes(p)));
    const accepted = () =>
      Number(
        line('outreach_smtp_sends_total{', `mailbox_id="${mailboxIds[0]}"`, 'outcome="accepted"')
          ?.split(' ')
          .pop(),
      );
    // the backup run may still be sending: each of its messages is counted once it is answered
    await until('the backup run counted', async () => {
      text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      return accepted() >= CONTACTS;
    });
    expect(accepted()).toBe(CONTACTS);
    expect(
      line('outreach_loop_tick_duration_seconds_count{', 'loop="dispatch"', 'result="ok"'),
    ).toBeDefined();
    expect(line('outreach_http_requests_total{', 'route="/ready"', 'status="200"')).toBeDefined();
    expect(line('outreach_contacts_due ')).toBeDefined();
    expect(text).not.toContain('@');
  }, 30_000);
});

describe('SIGTERM', () => {
  it('during a send run: stops taking requests, finishes the messages in flight, exits 0, nothing interrupted', async () => {
    const campaignId = await launchRun('sigterm');
    await until('the first messages', () => arrivedFor('sigterm') >= 3);
    const before = arrivedFor('sigterm');
    expect(before).toBeLessThan(CONTACTS);

    const stopped = server.stop(30_000);
    // the listener closes at once; the message in flight on each mailbox still finishes (the rest
    // of the queue goes back to `scheduled`), so the process may already be gone
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${server.baseUrl}/health`)).rejects.toThrow();
    const { code, signal } = await stopped;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(server.output().stderr).toMatch(/"msg":"stopped"/);

    const origDb = openDb(`file:${join(server.dataDir, 'outreach.db')}`);
    const db = origDb.client;
    const byStatus = await db.execute({
      sql: `SELECT status, coalesce(error, '') AS error, count(*) AS n FROM sends WHERE campaign_id = ? GROUP BY 1, 2`,
      args: [campaignId],
    });
    origDb.close();
    const counts = Object.fromEntries(
      byStatus.rows.map((r) => [`${r.status}${r.error ? `/${r.error}` : ''}`, Number(r.n)]),
    );
    expect(counts['failed/interrupted']).toBeUndefined();
    expect(counts.sending).toBeUndefined();
    // every send recorded as sent arrived exactly once, and nothing arrived unrecorded
    const arrived = smtp.messages.filter((m) => m.envelope.to[0]!.startsWith('sigterm-'));
    expect(new Set(arrived.map((m) => m.envelope.to[0])).size).toBe(arrived.length);
    expect(counts.sent ?? 0).toBe(arrived.length);
    expect(arrived.length).toBeGreaterThanOrEqual(before);
    // what was not sent waits for the next start, due again
    expect((counts.sent ?? 0) + (counts.scheduled ?? 0)).toBeGreaterThan(0);
  }, 90_000);
});
