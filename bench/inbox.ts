/**
 * Inbox benchmarks (prints figures; not a timed assertion in CI).
 *
 * 1. One poll of a mailbox holding N new replies (default 1,000) to N of our sends, the mailbox
 *    having sent BENCH_HISTORY (default 100,000) earlier messages: the inbox loop's tick against a
 *    private dovecot (login, fetch, parse, classify, match, effects).
 * 2. `GET /threads` with T threads in the workspace (default 100,000), a page of 50: the real
 *    `outreach start` in a child process, load from `autocannon` in another child process;
 *    unfiltered, filtered by one intent, and by two intents; 1 and 8 connections.
 *
 * Run: `npx tsx bench/inbox.ts` (BENCH_REPLIES=…, BENCH_HISTORY=…, BENCH_THREADS=…, BENCH_SECONDS=… to change).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Deps, listThreads, newId, openDb } from '@outreach/shared';
import { startDovecot, startOutreach } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace } from '@outreach/testkit/deps';
import { inboxLoop } from '@outreach/worker/loops/inbox';

const REPLIES = Number(process.env.BENCH_REPLIES ?? 1000);
/** earlier sends from the same mailbox that nobody answers: the history a real mailbox has. */
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const THREADS = Number(process.env.BENCH_THREADS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const INTENTS = ['interested', 'not_interested', 'out_of_office', 'bounced', 'unsubscribe', 'neutral'];

/** A campaign with `n` active contacts, each sent step 1 from the mailbox; returns the sends. */
async function seed(deps: Deps, workspaceId: number, mailboxId: string, n: number, now: number, prefix = '') {
  const campaignId = newId('campaign', now);
  const stepId = newId('step', now);
  const rules = {
    stopOnReply: true,
    stopOnUnsub: true,
    stopOnBounce: true,
    stopOnAutoReply: false,
    stopOnCompanyReply: false,
  };
  await deps.db.client.batch(
    [
      {
        sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, created_at, updated_at)
              VALUES (?, ?, 'bench', 'MEDIUM', 'active', NULL, ?, ?, ?)`,
        args: [campaignId, workspaceId, JSON.stringify(rules), now, now],
      },
      {
        sql: `INSERT INTO steps (id, campaign_id, position, subject, body_html, delay_seconds, variants, created_at, updated_at)
              VALUES (?, ?, 1, 'Quick question', '<p>Hi</p>', 0, '[]', ?, ?)`,
        args: [stepId, campaignId, now, now],
      },
    ],
    'write',
  );
  const rows = Array.from({ length: n }, (_, i) => {
    const sendId = newId('send', now);
    return [
      newId('contact', now),
      `${prefix}lead${i}@prospect${i % 97}.test`,
      sendId,
      `<${sendId}@acme.test>`,
    ];
  });
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = JSON.stringify(rows.slice(i, i + 1000));
    await deps.db.client.batch(
      [
        {
          sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, custom_json, status, current_step, mailbox_id,
                  next_send_at, enrolled_at, created_at, updated_at)
                SELECT j.value->>0, ?, ?, j.value->>1, '{}', 'active', 1, ?, ?, ?, ?, ? FROM json_each(?) j WHERE true`,
          args: [workspaceId, campaignId, mailboxId, now + 86_400_000, now, now, now, chunk],
        },
        {
          sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email,
                  status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
                SELECT j.value->>2, ?, ?, j.value->>0, ?, ?, 'cmb_bench', j.value->>1, 'sent', 1, ?, ?, j.value->>3, ?, ?
                FROM json_each(?) j WHERE true`,
          args: [workspaceId, campaignId, stepId, mailboxId, now - 60_000, now - 60_000, now, now, chunk],
        },
      ],
      'write',
    );
  }
  return {
    campaignId,
    rows: rows.map(([contactId, email, sendId, messageId]) => ({ contactId, email, sendId, messageId })),
  };
}

async function pollBench(): Promise<void> {
  const address = 'bench@acme.test';
  const dovecot = await startDovecot({ [address]: 'secret' });
  const deps = await createTestDeps();
  try {
    const { workspaceId } = await createTestWorkspace(deps);
    const now = Date.now() - 5000;
    const mailboxId = newId('mailbox', now);
    await deps.db.client.execute({
      sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, daily_limit, status, smtp, smtp_password, imap,
              imap_password, last_check, created_at, updated_at)
            VALUES (?, ?, ?, 'Bench', 50, 'verified', ?, ?, ?, ?, '{"smtp":null,"imap":null,"at":null}', ?, ?)`,
      args: [
        mailboxId,
        workspaceId,
        address,
        JSON.stringify({ host: '127.0.0.1', port: 25, secure: false, username: '' }),
        deps.secrets.encrypt(''),
        JSON.stringify({ host: '127.0.0.1', port: dovecot.port, secure: false, username: address }),
        deps.secrets.encrypt('secret'),
        now,
        now,
      ],
    });
    if (HISTORY > 0) await seed(deps, workspaceId, mailboxId, HISTORY, now - 86_400_000, 'old-');
    const { rows } = await seed(deps, workspaceId, mailboxId, REPLIES, now);
    const texts = [
      'Yes, I am interested. Can we talk on Tuesday?',
      'Not interested, thanks.',
      'What does it cost for a team of ten?',
      'Please remove me from your list.',
    ];
    const raws = rows.map((r, i) =>
      [
        `From: ${r.email}`,
        `To: ${address}`,
        'Subject: Re: Quick question',
        `Date: ${new Date().toUTCString()}`,
        `Message-ID: <bench-${i}@prospect.test>`,
        `In-Reply-To: ${r.messageId}`,
        `References: ${r.messageId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        texts[i % texts.length],
        '',
        `On Mon, Bench <${address}> wrote:`,
        '> Hi, quick question about your team',
        '',
      ].join('\r\n'),
    );
    await dovecot.deliverMany(address, raws);
    let report: Record<string, unknown> = {};
    const log = {
      ...deps.log,
      info: (msg: string, f?: Record<string, unknown>) => {
        if (msg === 'inbox poll') report = f ?? {};
      },
    };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await inboxLoop().tick(
      { ...deps, log: log as Deps['log'] },
      { workerId: 'bench', stopping: () => false },
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stored = Number((await deps.db.client.execute('SELECT count(*) AS n FROM messages')).rows[0]!.n);
    const replied = Number(
      (
        await deps.db.client.execute(
          "SELECT count(*) AS n FROM contacts WHERE status IN ('replied', 'unsubscribed')",
        )
      ).rows[0]!.n,
    );
    console.log(
      `poll of ${REPLIES} new replies (mailbox with ${HISTORY} earlier sends): ${ms.toFixed(0)} ms (${((REPLIES / ms) * 1000).toFixed(0)} msg/s); ` +
        `stored ${stored}, contacts stopped ${replied}; IMAP ${report.readMs} ms (first read: dovecot indexes the folder), ` +
        `parse+classify ${report.parseMs} ms, database ${report.applyMs} ms; ` +
        `CPU of this process ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (dovecot's apart)`,
    );
  } finally {
    await dovecot.stop();
    deps.cleanup();
  }
}

async function listBench(): Promise<void> {
  const server = await startOutreach({
    env: { OUTREACH_LOG_LEVEL: 'warn', OUTREACH_INBOX_POLL_SECONDS: '3600' },
  });
  const db = openDb(`file:${join(server.dataDir, 'outreach.db')}`);
  try {
    const now = Date.now();
    const mailboxId = newId('mailbox', now);
    const campaignId = newId('campaign', now);
    const t0 = performance.now();
    for (let i = 0; i < THREADS; i += 5000) {
      const rows = [];
      for (let k = i; k < Math.min(THREADS, i + 5000); k++) {
        const at = now - (THREADS - k) * 1000;
        rows.push([
          newId('thread', at),
          newId('contact', at),
          INTENTS[k % INTENTS.length],
          at,
          `lead${k}@p.test`,
        ]);
      }
      const chunk = JSON.stringify(rows);
      await db.client.batch(
        [
          {
            sql: `INSERT INTO threads (id, workspace_id, campaign_id, contact_id, mailbox_id, external_thread_id, subject,
                    subject_display, reply_intent, message_count, last_from_email, last_at, last_body_text, created_at, updated_at)
                  SELECT j.value->>0, ?, ?, j.value->>1, ?, '<x@acme.test>', 'Re: Quick question', 'Quick question',
                    j.value->>2, 1, j.value->>4, j.value->>3, 'Sounds good, tell me more about pricing.', j.value->>3, j.value->>3
                  FROM json_each(?) j WHERE true`,
            args: [server.workspaceId, campaignId, mailboxId, chunk],
          },
          {
            sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email,
                    status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
                  SELECT 'snd_' || (j.value->>1), ?, ?, j.value->>1, 'stp_bench', ?, 'cmb_bench', j.value->>4, 'replied', 1,
                    j.value->>3, j.value->>3, '<' || (j.value->>1) || '@acme.test>', j.value->>3, j.value->>3
                  FROM json_each(?) j WHERE true`,
            args: [server.workspaceId, campaignId, mailboxId, chunk],
          },
        ],
        'write',
      );
    }
    // no ANALYZE: the server never runs it, so the plans measured are the ones it gets; the seeding's
    // WAL is checkpointed so the server's reads do not start behind 100 MB of it
    await db.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    console.log(
      `seeded ${THREADS} threads (+ one send each) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // the service alone (no HTTP): what the list costs the database and the row mapping
    // (CPU ms per page is this process's CPU time: what the query costs, whatever the machine's load)
    for (const intents of [[], ['interested'], ['interested', 'neutral']]) {
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < 300; i++) {
        const a = performance.now();
        await listThreads(db, server.workspaceId, { limit: 50, after: null, replyIntents: intents });
        times.push(performance.now() - a);
      }
      const cpu = process.cpuUsage(cpu0);
      times.sort((x, y) => x - y);
      const at = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(2);
      console.log(
        `listThreads(${intents.join('&') || 'all'}), page of 50 of ${THREADS}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ` +
          `CPU ${((cpu.user + cpu.system) / 1000 / times.length).toFixed(2)} ms/page`,
      );
    }
    const bin = join(import.meta.dirname, 'node_modules', '.bin', 'autocannon');
    const threads = `/threads?workspaceId=${server.workspaceId}&limit=50`;
    const cases = [
      // the same server's floor: an authenticated GET that reads one row (auth, routing, JSON)
      ['baseline: GET /campaigns, empty', `/campaigns?workspaceId=${server.workspaceId}&limit=1`],
      ['all', threads],
      ['replyIntent=interested', `${threads}&replyIntent=interested`],
      ['replyIntent=interested&neutral', `${threads}&replyIntent=interested&replyIntent=neutral`],
    ];
    for (const [name, path] of cases) {
      // one untimed second first: the server's connection meets this statement shape and its pages
      spawnSync(
        bin,
        ['-c', '1', '-d', '1', '-H', `Authorization=Bearer ${server.apiKey}`, `${server.baseUrl}${path}`],
        {
          encoding: 'utf8',
        },
      );
      for (const connections of [1, 8]) {
        const url = `${server.baseUrl}${path}`;
        const res = spawnSync(
          bin,
          [
            '-j',
            '-c',
            String(connections),
            '-d',
            String(SECONDS),
            '-H',
            `Authorization=Bearer ${server.apiKey}`,
            url,
          ],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
        );
        const out = JSON.parse(res.stdout) as {
          latency: { p50: number; p99: number; average: number };
          requests: { average: number };
          non2xx: number;
          errors: number;
        };
        console.log(
          `GET ${name} (${THREADS} threads, ${connections} conn): p50 ${out.latency.p50} ms, ` +
            `p99 ${out.latency.p99} ms, ${out.requests.average.toFixed(0)} req/s, non-2xx ${out.non2xx}, errors ${out.errors}`,
        );
      }
    }
  } finally {
    db.close();
    await server.stop();
  }
}

const only = process.env.BENCH_ONLY;
if (only !== 'list') await pollBench();
if (only !== 'poll') await listBench();
