/** Shared by the dispatch benchmarks: a discarding SMTP sink and a campaign seeded as launch leaves it. */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId, type Schedule } from '@outreach/shared';
import { createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { SMTPServer } from 'smtp-server';

export const MAILBOXES = 5;
const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
export const HTML =
  '<p>Hi {{firstName}},</p><p>Quick question about {{company}}: would a short call next week work?</p><p>Ana</p>';

/** A plain smtp-server that accepts everything and discards the data. */
export async function startSink(): Promise<{
  port: number;
  count: () => number;
  close: () => Promise<void>;
}> {
  let n = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, cb) {
      stream.on('end', () => {
        n++;
        cb();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> })
          .connections)
          c._socket.destroy();
      }),
  };
}

export async function seedCampaign(
  deps: TestDeps,
  port: number,
  opts: {
    now: number;
    contacts: number;
    dueCount?: number;
    /** both the mailboxes' and the campaign mailboxes' 24 h limit (default 5,000) */
    dailyLimit?: number;
    reuse?: { workspaceId: number; mailboxIds: string[] };
  },
) {
  const workspaceId = opts.reuse?.workspaceId ?? (await createTestWorkspace(deps)).workspaceId;
  const campaignId = newId('campaign', opts.now);
  const stepId = newId('step', opts.now);
  await deps.db.client.batch(
    [
      {
        sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, launched_at, created_at, updated_at)
              VALUES (?, ?, 'bench', 'MEDIUM', 'active', ?, '{}', ?, ?, ?)`,
        args: [campaignId, workspaceId, JSON.stringify(ALWAYS), opts.now, opts.now, opts.now],
      },
      {
        sql: `INSERT INTO steps (id, campaign_id, subsequence_id, position, subject, body_html, body_text, delay_seconds, variants, created_at, updated_at)
              VALUES (?, ?, NULL, 1, 'Quick question, {{firstName}}', ?, NULL, 0, '[]', ?, ?)`,
        args: [stepId, campaignId, HTML, opts.now, opts.now],
      },
    ],
    'write',
  );
  const mailboxIds: string[] = [];
  for (let i = 0; i < MAILBOXES; i++) {
    const reused = opts.reuse?.mailboxIds[i];
    const id = reused ?? newId('mailbox', opts.now);
    mailboxIds.push(id);
    if (!reused) {
      await deps.db.client.execute({
        sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, daily_limit, status, smtp, smtp_password, imap,
                imap_password, last_check, created_at, updated_at)
              VALUES (?, ?, ?, 'Ana', 'Sender', ?, 'verified', ?, ?, '{}', ?, '{}', ?, ?)`,
        args: [
          id,
          workspaceId,
          `s${i}@bench.test`,
          opts.dailyLimit ?? 5000,
          JSON.stringify({ host: '127.0.0.1', port, secure: false, username: '' }),
          deps.secrets.encrypt(''),
          deps.secrets.encrypt(''),
          opts.now,
          opts.now,
        ],
      });
    }
    await deps.db.client.execute({
      sql: `INSERT INTO campaign_mailboxes (id, campaign_id, mailbox_id, weight, state, daily_limit, gap_base_seconds,
              gap_jitter_seconds, next_available_at, assigned_contacts, created_at)
            VALUES (?, ?, ?, 1, 'active', ?, 0, 0, 0, 0, ?)`,
      args: [newId('campaignMailbox', opts.now), campaignId, id, opts.dailyLimit ?? 5000, opts.now],
    });
  }
  // Contacts as launch leaves them; with dueCount, only that many are due (half new, half sticky).
  const chunk = 5000;
  for (let start = 0; start < opts.contacts; start += chunk) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(opts.contacts, start + chunk); i++) {
      const due = opts.dueCount === undefined || i < opts.dueCount;
      const sticky = opts.dueCount !== undefined && (!due || i % 2 === 1);
      rows.push([
        newId('contact', opts.now),
        `p${i}@example.com`,
        `First${i}`,
        due ? opts.now - 1000 : opts.now + 86_400_000 + i,
        sticky ? mailboxIds[i % MAILBOXES] : null,
        sticky ? 1 : 0,
      ]);
    }
    await deps.db.client.execute({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status, current_step,
              subsequence_id, mailbox_id, next_send_at, last_sent_at, enrolled_at, created_at, updated_at)
            SELECT j.value->>0, ?, ?, j.value->>1, j.value->>2, NULL, '{"company":"Co"}', 'active', 0, NULL, j.value->>4, j.value->>3,
                   NULL, ?, ?, ?
            FROM json_each(?) j WHERE true`,
      args: [workspaceId, campaignId, opts.now, opts.now, opts.now, JSON.stringify(rows)],
    });
  }
  return { campaignId, stepId, workspaceId, mailboxIds };
}

/** {@link startSink} in a child process (bench/lib/sink-process.ts); `close` ends it. */
export function startSinkProcess(): Promise<{ port: number; close: () => Promise<void> }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sink-process.ts')], {
    cwd: join(here, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`sink process exited ${code}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      const { port } = JSON.parse(out.split('\n')[0]!) as { port: number };
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.stdin!.end();
          }),
      });
    });
  });
}

/** Messages the database counts sent (each bench phase has a database of its own). */
export async function sentCount(deps: TestDeps): Promise<number> {
  const res = await deps.db.client.execute("SELECT count(*) AS n FROM sends WHERE status = 'sent'");
  return Number(res.rows[0]!.n);
}
