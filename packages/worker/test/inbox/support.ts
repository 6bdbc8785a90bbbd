/**
 * Inbox test data: a verified mailbox whose IMAP is a real dovecot user, a campaign with two
 * steps, contacts and the sends the dispatch loop would have left (with our Message-IDs); and
 * raw inbound messages (replies, auto-replies, bounces) to APPEND.
 */
import { type Deps, newId } from '@outreach/shared';
import { inboxLoop } from '../../src/loops/inbox';
import { seedCampaign } from '../dispatch/support';

export const PASSWORD = 'secret';

export async function seedMailbox(
  deps: Deps,
  dovecot: { port: number },
  opts: { workspaceId: number; address: string; password?: string; createdAt: number },
): Promise<string> {
  const id = newId('mailbox', opts.createdAt);
  await deps.db.client.execute({
    sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, signature_html, daily_limit, status, smtp, smtp_password,
            imap, imap_password, last_check, created_at, updated_at)
          VALUES (?, ?, ?, 'Sam', 'Sender', NULL, 50, 'verified', ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      id,
      opts.workspaceId,
      opts.address,
      JSON.stringify({ host: '127.0.0.1', port: 25, secure: false, username: '' }),
      deps.secrets.encrypt(''),
      JSON.stringify({ host: '127.0.0.1', port: dovecot.port, secure: false, username: opts.address }),
      deps.secrets.encrypt(opts.password ?? PASSWORD),
      JSON.stringify({ smtp: null, imap: null, at: null }),
      opts.createdAt,
      opts.createdAt,
    ],
  });
  return id;
}

export interface Seeded {
  workspaceId: number;
  mailboxId: string;
  campaignId: string;
  stepIds: string[];
  contactIds: string[];
  /** sends[contact][step] = { id, messageId } for the steps already sent. */
  sends: { id: string; messageId: string }[][];
}

/**
 * A campaign (stop rules as given) with `emails` as active contacts; each got `sentSteps`
 * steps from the mailbox; the next one is due at `nextSendAt`.
 */
export async function seedSent(
  deps: Deps,
  opts: {
    workspaceId: number;
    mailboxId: string;
    emails: string[];
    sentSteps?: number;
    stopRules?: Record<string, boolean>;
    timezone?: string;
    nextSendAt?: number;
  },
): Promise<Seeded> {
  const now = deps.clock.now();
  const campaign = await seedCampaign(deps, {
    workspaceId: opts.workspaceId,
    schedule: opts.timezone
      ? {
          timezone: opts.timezone,
          weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          windows: [{ start: '00:00', end: '24:00' }],
        }
      : null,
    steps: [
      { subject: 'Quick question', bodyHtml: '<p>Hi {{firstName}}</p>', delaySeconds: 0 },
      { subject: 'Following up', bodyHtml: '<p>Any thoughts?</p>', delaySeconds: 86_400 },
      { subject: 'Last one', bodyHtml: '<p>Closing the loop</p>', delaySeconds: 86_400 },
    ],
    now,
  });
  if (opts.stopRules) {
    await deps.db.client.execute({
      sql: 'UPDATE campaigns SET stop_rules = json_patch(stop_rules, ?) WHERE id = ?',
      args: [JSON.stringify(opts.stopRules), campaign.id],
    });
  }
  const cmb = newId('campaignMailbox', now);
  const sentSteps = opts.sentSteps ?? 1;
  const stmts: { sql: string; args: (string | number | null)[] }[] = [
    {
      sql: `INSERT INTO campaign_mailboxes (id, campaign_id, mailbox_id, weight, state, daily_limit, gap_base_seconds, gap_jitter_seconds, created_at)
            VALUES (?, ?, ?, 1, 'active', 100, 0, 0, ?)`,
      args: [cmb, campaign.id, opts.mailboxId, now],
    },
  ];
  const contactIds: string[] = [];
  const sends: { id: string; messageId: string }[][] = [];
  for (const email of opts.emails) {
    const cid = newId('contact', now);
    contactIds.push(cid);
    stmts.push({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, custom_json, status, current_step, mailbox_id,
              next_send_at, last_sent_at, enrolled_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'Pat', '{}', 'active', ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        cid,
        opts.workspaceId,
        campaign.id,
        email,
        sentSteps,
        opts.mailboxId,
        opts.nextSendAt ?? now + 86_400_000,
        now,
        now,
        now,
        now,
      ],
    });
    const mine: { id: string; messageId: string }[] = [];
    for (let s = 0; s < sentSteps; s++) {
      const id = newId('send', now);
      const messageId = `<${id}@acme.test>`;
      mine.push({ id, messageId });
      stmts.push({
        sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, campaign_mailbox_id,
                to_email, status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, 'sent', 1, ?, ?, ?, ?, ?)`,
        args: [
          id,
          opts.workspaceId,
          campaign.id,
          cid,
          campaign.stepIds[s]!,
          opts.mailboxId,
          cmb,
          email,
          now - 10_000 + s,
          now - 10_000 + s,
          messageId,
          now,
          now,
        ],
      });
    }
    sends.push(mine);
  }
  await deps.db.client.batch(stmts, 'write');
  return {
    workspaceId: opts.workspaceId,
    mailboxId: opts.mailboxId,
    campaignId: campaign.id,
    stepIds: campaign.stepIds,
    contactIds,
    sends,
  };
}

let seq = 0;

/** A raw RFC 5322 message. */
export function rawMail(m: {
  from: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  messageId?: string | null;
}): string {
  const id = m.messageId === undefined ? `<inbound-${Date.now()}-${seq++}@prospect.test>` : m.messageId;
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${new Date().toUTCString()}`,
    ...(id ? [`Message-ID: ${id}`] : []),
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references ? [`References: ${m.references.join(' ')}`] : []),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  if (m.html) {
    lines.push('Content-Type: text/html; charset=utf-8', '', m.html);
  } else {
    lines.push('Content-Type: text/plain; charset=utf-8', '', m.text ?? '');
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A Postfix-shaped DSN for one of our sends. */
export function dsn(m: {
  to: string;
  recipient: string;
  original: { messageId: string; sendId: string };
  status?: string;
  diagnostic?: string;
}): string {
  const boundary = `dsn-${seq++}`;
  const status = m.status ?? '5.1.1';
  const diagnostic = m.diagnostic ?? `550 5.1.1 <${m.recipient}>: Recipient address rejected: User unknown`;
  return [
    'From: MAILER-DAEMON@mx.prospect.test (Mail Delivery System)',
    `To: ${m.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <bounce-${Date.now()}-${seq++}@mx.prospect.test>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not be delivered to one or more recipients.",
    '',
    `<${m.recipient}>: host mx.prospect.test said: ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.prospect.test',
    '',
    `Final-Recipient: rfc822; ${m.recipient}`,
    `Original-Recipient: rfc822;${m.recipient}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    `From: Sam Sender <${m.to}>`,
    `To: ${m.recipient}`,
    'Subject: Quick question',
    `Message-ID: ${m.original.messageId}`,
    `X-Outreach-Send-Id: ${m.original.sendId}`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** One tick of the inbox loop with every poll job due now (tests do not wait for the interval). */
export async function pollNow(deps: Deps, loop = inboxLoop()): Promise<void> {
  await deps.db.client.execute({
    sql: "UPDATE jobs SET run_at = 0 WHERE kind = 'inbox_poll' AND state IN ('queued', 'retry')",
    args: [],
  });
  await loop.tick(deps, { workerId: 'test', stopping: () => false });
}

export async function rows<T = Record<string, unknown>>(
  deps: Deps,
  sql: string,
  args: (string | number)[] = [],
): Promise<T[]> {
  const res = await deps.db.client.execute({ sql, args });
  return res.rows as unknown as T[];
}
