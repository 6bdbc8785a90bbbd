/**
 * `POST /threads/{id}/reply`: a message from the thread's mailbox to its contact, in the thread
 * (`Re:` subject, In-Reply-To / References), counted in the mailbox's daily total.
 *
 * Never sent twice: the message row is reserved (`sending`, keyed by the request's
 * Idempotency-Key) before SMTP, in one statement that also checks the daily limit. A retry that
 * finds its row answers it as it stands; a row left `sending` by a crash between SMTP and the
 * record is never sent again (we cannot know whether the server took it). Only a row whose
 * send failed before any server accepted it (`failed`) is tried again.
 */
import type { Deps } from '../deps';
import { emailDomain } from '../domain/email';
import { htmlToText } from '../domain/html-text';
import { escapeHtml } from '../domain/template';
import { AppError } from '../errors';
import { newId } from '../ids';
import { getMailbox, mailboxConnectTarget } from './mailboxes';
import { getThread, getThreadMessage, type Thread, type ThreadMessage } from './threads';

export interface ReplyMail {
  from: { name: string; address: string };
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
}

export interface ReplyAccount {
  /** the checked address of the SMTP host (the SSRF rule), with its name as `servername`. */
  host: string;
  port: number;
  secure: boolean;
  username: string;
  password: string;
  servername?: string;
}

/** How a reply leaves (the server passes the worker's SMTP adapter; tests may pass their own). */
export interface ReplySender {
  send(
    account: ReplyAccount,
    mail: ReplyMail,
  ): Promise<{ ok: true } | { ok: false; permanent: boolean; auth: boolean; error: string }>;
}

const DAY_MS = 86_400_000;

/** Both bodies of a reply from the one given (the preview of `reply_to_thread` shows the same). */
export function replyBodies(body: { bodyHtml?: string | null; bodyText?: string | null }): {
  html: string;
  text: string;
} {
  return {
    text: body.bodyText ?? htmlToText(body.bodyHtml ?? ''),
    html: body.bodyHtml ?? textToHtml(body.bodyText ?? ''),
  };
}

/** The subject of a reply in the thread (one line). */
export function replySubject(subjectDisplay: string): string {
  return `Re: ${subjectDisplay}`.replace(/[\r\n]+/g, ' ');
}

function textToHtml(text: string): string {
  return text
    .split(/\r?\n\r?\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

/** The Message-IDs of the conversation, oldest first, and the one to answer (the newest inbound, else the newest). */
async function threadIds(deps: Pick<Deps, 'db'>, thread: Thread) {
  const res = await deps.db.client.batch(
    [
      {
        sql: `SELECT message_id, sent_at AS at, 'outbound' AS direction FROM sends
              WHERE contact_id = ? AND +mailbox_id = ? AND status IN ('sent', 'replied', 'bounced')`,
        args: [thread.contactId, thread.mailboxId],
      },
      {
        sql: `SELECT message_id, date_received AS at, direction FROM messages
              WHERE thread_id = ? AND (direction = 'inbound' OR status = 'sent')`,
        args: [thread.id],
      },
    ],
    'read',
  );
  const all = res
    .flatMap((r) => r.rows)
    .map((r) => ({ id: String(r.message_id), at: Number(r.at ?? 0), inbound: r.direction === 'inbound' }))
    .sort((a, b) => a.at - b.at);
  const lastInbound = [...all].reverse().find((m) => m.inbound);
  return {
    references: all.map((m) => m.id).slice(-20),
    inReplyTo: lastInbound?.id ?? all[all.length - 1]?.id ?? null,
  };
}

export async function replyToThread(
  deps: Pick<Deps, 'db' | 'clock' | 'secrets' | 'config'>,
  sender: ReplySender,
  workspaceId: number,
  threadId: string,
  body: { bodyHtml?: string | null; bodyText?: string | null },
  opts: { requestKey?: string | null } = {},
): Promise<ThreadMessage> {
  const thread = await getThread(deps.db, workspaceId, threadId);
  const requestKey = opts.requestKey ?? null;
  if (requestKey) {
    const prior = await deps.db.client.execute({
      sql: 'SELECT id, status FROM messages WHERE thread_id = ? AND request_key = ?',
      args: [thread.id, requestKey],
    });
    const row = prior.rows[0];
    if (row && row.status !== 'failed') return getThreadMessage(deps.db, thread.id, String(row.id));
    if (row)
      await deps.db.client.execute({ sql: 'DELETE FROM messages WHERE id = ?', args: [String(row.id)] });
  }
  const mailbox = await getMailbox(deps.db, workspaceId, thread.mailboxId);
  const state = await deps.db.client.execute({
    sql: `SELECT c.email, cm.state FROM contacts c
          LEFT JOIN campaign_mailboxes cm ON cm.campaign_id = c.campaign_id AND cm.mailbox_id = ?
          WHERE c.id = ?`,
    args: [mailbox.id, thread.contactId],
  });
  const ctx = state.rows[0];
  if (!ctx) throw AppError.notFound('Thread', threadId);
  if (mailbox.status !== 'verified' || ctx.state === 'paused') {
    throw new AppError(
      'mailbox_unavailable',
      `Mailbox ${mailbox.address} cannot send now (${ctx.state === 'paused' ? 'paused in this campaign' : `status ${mailbox.status}`})`,
      { status: 409 },
    );
  }

  const now = deps.clock.now();
  const id = newId('message', now);
  const messageId = `<${id}@${emailDomain(mailbox.address) || 'outreach.invalid'}>`;
  const ids = await threadIds(deps, thread);
  const { text, html } = replyBodies(body);
  const subject = replySubject(thread.subjectDisplay);
  const to = String(ctx.email);
  // Reserve the row, the mailbox's 24 h total (campaign sends + Unibox replies) checked in the write.
  const reserved = await deps.db.client.execute({
    sql: `INSERT INTO messages (id, workspace_id, thread_id, mailbox_id, direction, kind, message_id, in_reply_to, "references",
            from_email, to_emails, cc_emails, subject, body_text, body_html, text, reply_intent, reasons, send_id, status,
            request_key, date_received, created_at)
          SELECT ?, ?, ?, ?, 'outbound', NULL, ?, ?, ?, ?, ?, '[]', ?, ?, ?, NULL, NULL, '[]', NULL, 'sending', ?, ?, ?
          WHERE (SELECT count(*) FROM sends WHERE mailbox_id = ? AND scheduled_at > ? AND status NOT IN ('canceled', 'skipped'))
              + (SELECT count(*) FROM messages WHERE mailbox_id = ? AND direction = 'outbound' AND created_at > ? AND status != 'failed')
              < ?
          ON CONFLICT DO NOTHING RETURNING id`,
    args: [
      id,
      workspaceId,
      thread.id,
      mailbox.id,
      messageId,
      ids.inReplyTo,
      JSON.stringify(ids.references),
      mailbox.address,
      JSON.stringify([to]),
      subject,
      text,
      html,
      requestKey,
      now,
      now,
      mailbox.id,
      now - DAY_MS,
      mailbox.id,
      now - DAY_MS,
      mailbox.dailyLimit,
    ],
  });
  if (reserved.rows.length === 0) {
    if (requestKey) {
      // a concurrent request with the same key reserved first
      const again = await deps.db.client.execute({
        sql: 'SELECT id FROM messages WHERE thread_id = ? AND request_key = ?',
        args: [thread.id, requestKey],
      });
      if (again.rows[0]) return getThreadMessage(deps.db, thread.id, String(again.rows[0].id));
    }
    throw new AppError(
      'mailbox_daily_limit',
      `Mailbox ${mailbox.address} reached its daily limit of ${mailbox.dailyLimit}`,
      {
        status: 429,
      },
    );
  }

  const target = await mailboxConnectTarget(deps.config, mailbox.smtp);
  const outcome = !target.ok
    ? { ok: false as const, permanent: false, auth: true, error: target.error }
    : await sender.send(
        { ...target.target, password: deps.secrets.decrypt(mailbox.smtpPassword) },
        {
          from: {
            name: [mailbox.firstName, mailbox.lastName].filter(Boolean).join(' '),
            address: mailbox.address,
          },
          to,
          subject,
          html,
          text,
          messageId,
          inReplyTo: ids.inReplyTo,
          references: ids.references,
        },
      );
  const done = deps.clock.now();
  if (!outcome.ok) {
    await deps.db.client.execute({
      sql: "UPDATE messages SET status = 'failed', error = ? WHERE id = ?",
      args: [outcome.error.slice(0, 500), id],
    });
    if (outcome.auth || !outcome.permanent) {
      throw new AppError(
        'mailbox_unavailable',
        `Mailbox ${mailbox.address} could not send: ${outcome.error}`,
        {
          status: 409,
        },
      );
    }
    throw new AppError('reply_rejected', `The mail server refused the reply: ${outcome.error}`, {
      status: 422,
    });
  }
  await deps.db.client.batch(
    [
      { sql: "UPDATE messages SET status = 'sent', date_received = ? WHERE id = ?", args: [done, id] },
      {
        sql: `UPDATE threads SET message_count = message_count + 1, last_from_email = ?, last_at = ?, last_body_text = ?,
                updated_at = ? WHERE id = ?`,
        args: [mailbox.address, done, text.slice(0, 2000), done, thread.id],
      },
    ],
    'write',
  );
  return getThreadMessage(deps.db, thread.id, id);
}
