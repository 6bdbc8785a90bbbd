/**
 * The inbox's effects (API.md "Effects"): for a batch of parsed, classified inbound mails of one
 * mailbox, match each to the message of ours it answers (`domain/inbox/match`), plan what it does
 * (`domain/inbox/effects-plan`) and write it all — thread + message, send and contact status
 * through the one status service, company stop, suppression, hold, events — in ONE batch with
 * the caller's own statements (the inbox loop's UID advance), so a crash re-reads, never skips.
 *
 * Every statement after a message's insert is guarded by "that message row exists": a message
 * already stored (delivered twice, re-read after a UIDVALIDITY change) changes nothing. The
 * message insert itself carries the caller's guard (the loop's job lease), so a worker that lost
 * its lease writes nothing.
 */
import type { InStatement } from '@libsql/client';
import type { Db } from '../db/client';
import type { StopRules } from '../db/schema/campaigns';
import type { ContactStatus } from '../db/schema/contacts';
import { type PlannedContactChange, planEffects } from '../domain/inbox/effects-plan';
import { type MatchResult, matchMessage } from '../domain/inbox/match';
import type { Classification, ParsedMessage } from '../domain/inbox/types';
import { newId } from '../ids';
import { statusChangeStatements } from './contacts';
import { lookup } from './inbox-lookup';
import {
  type EnrollmentRow,
  enrollmentStatements,
  loadRouting,
  routedEnrollments,
} from './subsequence-enrollment';
import { SUPPRESSIBLE_STATUSES, suppressionInsertStatement } from './suppressions';
import { UNSUBSCRIBED_EVENT } from './unsubscribes';

export type SqlGuard = { sql: string; args: (string | number)[] };

export interface InboundMail {
  parsed: ParsedMessage;
  classification: Classification;
  /** the Message-ID (with brackets), or a stable stand-in when the mail had none. */
  messageId: string;
  /** when the server received it (IMAP INTERNALDATE), epoch ms. */
  receivedAt: number;
}

export interface InboxMailbox {
  id: string;
  workspaceId: number;
  address: string;
}

export interface StoredInbound {
  messageId: string;
  threadId: string;
  contactId: string;
  kind: Classification['kind'];
  match: MatchResult['by'];
}

export interface ApplyResult {
  stored: StoredInbound[];
  unmatched: number;
  duplicates: number;
  notifications: number;
}

const MAX_BODY = 256 * 1024;

interface ContactCtx {
  id: string;
  email: string;
  campaignId: string;
  status: ContactStatus;
  stopRules: StopRules;
  timezone: string;
}

interface ThreadState {
  id: string;
  replyIntent: string | null;
  isNew: boolean;
}

/** Strips reply/forward prefixes (`Re:`, `AW:`, `Fwd:`, `RE[2]:`, …) for display. */
export function subjectDisplay(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(re|aw|sv|vs|antw|ant|wg|fw|fwd|tr|rv|r|odp|res)(\[\d+\])?\s*:\s*/i, '');
    if (next === s) return s;
    s = next;
  }
}

/**
 * Matches, plans and writes a batch of one mailbox's inbound mail together with `extra`
 * (the caller's own statements, e.g. the folder's UID advance), in one write batch.
 */
export async function applyInboundBatch(
  db: Db,
  mailbox: InboxMailbox,
  mails: InboundMail[],
  opts: { now: number; guard: SqlGuard; extra?: InStatement[] },
): Promise<ApplyResult> {
  const { now } = opts;
  const result: ApplyResult = { stored: [], unmatched: 0, duplicates: 0, notifications: 0 };
  const relevant = mails.filter((m) => {
    if (m.classification.kind !== 'notification') return true;
    result.notifications++;
    return false;
  });
  const found = await lookup(db, mailbox, relevant);
  const matched: { mail: InboundMail; match: MatchResult }[] = [];
  for (const mail of relevant) {
    const match = matchMessage(mail.parsed, mail.classification, found);
    if (match) matched.push({ mail, match });
    else result.unmatched++;
  }

  const contactIds = [...new Set(matched.map((m) => m.match.ours.contactId))];
  const [contactRes, threadRes, knownRes] = await db.client.batch(
    [
      {
        sql: `SELECT c.id, c.email, c.campaign_id, c.status, k.stop_rules, k.schedule FROM contacts c
              JOIN campaigns k ON k.id = c.campaign_id
              WHERE c.id IN (SELECT value FROM json_each(?)) AND +c.workspace_id = ?`,
        args: [JSON.stringify(contactIds), mailbox.workspaceId],
      },
      {
        sql: `SELECT id, contact_id, reply_intent FROM threads
              WHERE mailbox_id = ? AND contact_id IN (SELECT value FROM json_each(?))`,
        args: [mailbox.id, JSON.stringify(contactIds)],
      },
      {
        sql: 'SELECT message_id FROM messages WHERE mailbox_id = ? AND message_id IN (SELECT value FROM json_each(?))',
        args: [mailbox.id, JSON.stringify(matched.map((m) => m.mail.messageId))],
      },
    ],
    'read',
  );
  const contacts = new Map<string, ContactCtx>();
  for (const r of contactRes!.rows) {
    const schedule = r.schedule ? (JSON.parse(String(r.schedule)) as { timezone?: string } | null) : null;
    contacts.set(String(r.id), {
      id: String(r.id),
      email: String(r.email),
      campaignId: String(r.campaign_id),
      status: r.status as ContactStatus,
      stopRules: JSON.parse(String(r.stop_rules)) as StopRules,
      timezone: schedule?.timezone ?? 'UTC',
    });
  }
  const threads = new Map<string, ThreadState>();
  for (const r of threadRes!.rows) {
    threads.set(String(r.contact_id), {
      id: String(r.id),
      replyIntent: (r.reply_intent as string | null) ?? null,
      isNew: false,
    });
  }
  const known = new Set(knownRes!.rows.map((r) => String(r.message_id)));

  const stmts: InStatement[] = [];
  // One statement per kind of row for the whole chunk (JSON arrays unpacked in SQL): per-message
  // statements cost their preparation each, most of a chunk's time.
  const newThreads: unknown[][] = [];
  const msgRows: unknown[][] = [];
  const eventRows: unknown[][] = [];
  const threadUpdates = new Map<
    string,
    {
      msgIds: string[];
      intent?: string;
      isOoo?: number;
      isAutoReply?: number;
      from?: string;
      at?: number;
      text?: string;
    }
  >();
  const sendRows: unknown[][] = [];
  /** per-message statements that need the chunk's messages stored first. */
  const late: InStatement[] = [];
  const event = (
    e: {
      workspaceId: number;
      type: string;
      campaignId: string;
      contactId: string;
      data: Record<string, unknown>;
    },
    msgId: string,
  ) => {
    eventRows.push([
      newId('event', now),
      e.type,
      e.campaignId,
      e.contactId,
      JSON.stringify({ campaignId: e.campaignId, ...e.data }),
      msgId,
    ]);
  };
  const changes = new Map<string, { campaignId: string; change: PlannedContactChange; ids: Set<string> }>();
  const company = new Map<string, Set<string>>();
  const suppressions = new Map<'unsubscribed' | 'complaint', Set<string>>();
  /** replies whose intent may route their contact into a subsequence (after the stop rules). */
  const replies: (EnrollmentRow & { campaignId: string; intent: string | null })[] = [];
  for (const { mail, match } of matched) {
    const contact = contacts.get(match.ours.contactId);
    if (!contact) {
      result.unmatched++;
      continue;
    }
    if (known.has(mail.messageId)) {
      result.duplicates++;
      continue;
    }
    known.add(mail.messageId);
    const { parsed, classification: c } = mail;
    const fromEmail = parsed.from?.address ?? '';
    const plan = planEffects(c, { stopRules: contact.stopRules, fromEmail, timezone: contact.timezone, now });
    if (!plan) continue;
    let thread = threads.get(contact.id);
    if (!thread) {
      thread = { id: newId('thread', now), replyIntent: null, isNew: true };
      threads.set(contact.id, thread);
      const first = parsed.references.find((r) => found.byMessageId.has(r)) ?? match.ours.messageId;
      newThreads.push([
        thread.id,
        contact.campaignId,
        contact.id,
        first,
        parsed.subject,
        subjectDisplay(parsed.subject) || parsed.subject,
      ]);
    }
    const msgId = newId('message', now);
    // INTERNALDATE has whole seconds: an answer never sorts before the message it answers.
    const receivedAt = Math.max(mail.receivedAt, match.ours.sentAt + 1);
    const isNew: SqlGuard = { sql: 'EXISTS (SELECT 1 FROM messages WHERE id = ?)', args: [msgId] };
    msgRows.push([
      msgId,
      thread.id,
      c.kind,
      mail.messageId,
      parsed.inReplyTo,
      JSON.stringify(parsed.references),
      fromEmail,
      JSON.stringify(parsed.to.map((a) => a.address)),
      JSON.stringify(parsed.cc.map((a) => a.address)),
      parsed.subject,
      parsed.text.slice(0, MAX_BODY),
      parsed.html?.slice(0, MAX_BODY) ?? null,
      c.text.slice(0, MAX_BODY),
      plan.threadIntent,
      JSON.stringify([...c.reasons, match.reason]),
      match.ours.sendId,
      receivedAt,
    ]);
    const base = { workspaceId: mailbox.workspaceId, campaignId: contact.campaignId, contactId: contact.id };
    const refs = {
      threadId: thread.id,
      messageId: msgId,
      sendId: match.ours.sendId,
      stepId: match.ours.stepId,
    };
    if (thread.replyIntent !== null && thread.replyIntent !== plan.threadIntent) {
      event(
        {
          ...base,
          type: 'thread.intent_changed',
          data: {
            contactId: contact.id,
            email: contact.email,
            threadId: thread.id,
            replyIntent: plan.threadIntent,
            previousReplyIntent: thread.replyIntent,
            source: 'inbound',
          },
        },
        msgId,
      );
    }
    thread.replyIntent = plan.threadIntent;
    const upd = threadUpdates.get(thread.id) ?? { msgIds: [] as string[] };
    threadUpdates.set(thread.id, {
      msgIds: [...upd.msgIds, msgId],
      intent: plan.threadIntent,
      isOoo: c.isOoo ? 1 : 0,
      isAutoReply: c.isAutoReply ? 1 : 0,
      from: fromEmail,
      at: receivedAt,
      text: c.text.slice(0, 2000),
    });
    if (plan.sendStatus && match.ours.sendId) {
      sendRows.push([match.ours.sendId, plan.sendStatus, plan.sendError, msgId]);
    }
    if (plan.replyReceived) {
      event(
        {
          ...base,
          type: 'reply.received',
          data: {
            contactId: contact.id,
            email: contact.email,
            ...refs,
            replyIntent: plan.threadIntent,
            isOoo: c.isOoo,
            isAutoReply: c.isAutoReply,
            kind: c.kind,
            subject: parsed.subject,
            bodyText: c.text.slice(0, 10_000),
          },
        },
        msgId,
      );
    }
    if (plan.replyReceived) {
      replies.push({
        campaignId: contact.campaignId,
        contactId: contact.id,
        intent: plan.threadIntent,
        startAt: receivedAt,
        threadId: thread.id,
        messageId: msgId,
      });
    }
    if (plan.contactBounced) {
      event(
        {
          ...base,
          type: 'contact.bounced',
          data: {
            contactId: contact.id,
            email: contact.email,
            ...refs,
            bounceType: c.bounce?.type ?? 'hard',
            status: c.bounce?.status ?? null,
            diagnosticCode: c.bounce?.diagnosticCode ?? null,
            stopped: plan.contact?.to === 'bounced',
          },
        },
        msgId,
      );
    }
    if (plan.contact?.to === 'unsubscribed') {
      late.push({
        sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
              SELECT ?, c.workspace_id, ?, c.campaign_id, c.id,
                json_patch(json(?), json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email,
                  'previousStatus', c.status)), ?
              FROM contacts c WHERE c.id = ? AND c.status != 'unsubscribed' AND ${isNew.sql}`,
        args: [
          newId('event', now),
          UNSUBSCRIBED_EVENT,
          JSON.stringify({ ...refs, source: plan.contact.reason === 'complaint' ? 'complaint' : 'reply' }),
          now,
          contact.id,
          ...isNew.args,
        ],
      });
    }
    // Status changes, company stops and suppressions are grouped per chunk (one set of statements
    // each, after the per-message ones): the per-message form cost most of a chunk's time.
    if (plan.contact) {
      const key = `${contact.campaignId}|${plan.contact.to}|${plan.contact.reason}|${plan.contact.from.join(',')}`;
      const group = changes.get(key) ?? {
        campaignId: contact.campaignId,
        change: plan.contact,
        ids: new Set<string>(),
      };
      group.ids.add(contact.id);
      changes.set(key, group);
    }
    if (plan.companyDomain) {
      const set = company.get(contact.campaignId) ?? new Set<string>();
      company.set(contact.campaignId, set.add(plan.companyDomain));
    }
    if (plan.suppress) {
      const set = suppressions.get(plan.suppress) ?? new Set<string>();
      // a person asking to be removed may write from another address; a complaint comes from
      // the provider's feedback loop, whose address is nobody to suppress
      if (fromEmail && c.kind === 'reply') set.add(fromEmail);
      suppressions.set(plan.suppress, set.add(contact.email));
    }
    if (plan.holdUntil !== null) {
      // The dispatch loop sends only when next_send_at is due: pushing it to the hold is enough.
      late.push({
        sql: `UPDATE contacts SET hold_until = max(coalesce(hold_until, 0), ?),
                next_send_at = CASE WHEN next_send_at IS NOT NULL AND next_send_at < ? THEN ? ELSE next_send_at END,
                updated_at = ?
              WHERE id = ? AND status = 'active' AND ${isNew.sql}`,
        args: [plan.holdUntil, plan.holdUntil, plan.holdUntil, now, contact.id, ...isNew.args],
      });
    }
    result.stored.push({
      messageId: msgId,
      threadId: thread.id,
      contactId: contact.id,
      kind: c.kind,
      match: match.by,
    });
  }
  const ws = mailbox.workspaceId;
  const lease = opts.guard;
  if (newThreads.length) {
    stmts.push({
      sql: `INSERT INTO threads (id, workspace_id, campaign_id, contact_id, mailbox_id, external_thread_id, subject,
              subject_display, created_at, updated_at)
            SELECT j.value->>0, ?, j.value->>1, j.value->>2, ?, j.value->>3, j.value->>4, j.value->>5, ?, ?
            FROM json_each(?) j WHERE ${lease.sql}
            ON CONFLICT (contact_id, mailbox_id) DO NOTHING`,
      args: [ws, mailbox.id, now, now, JSON.stringify(newThreads), ...lease.args],
    });
  }
  if (msgRows.length) {
    stmts.push({
      sql: `INSERT INTO messages (id, workspace_id, thread_id, mailbox_id, direction, kind, message_id, in_reply_to,
              "references", from_email, to_emails, cc_emails, subject, body_text, body_html, text, reply_intent, reasons,
              send_id, status, date_received, created_at)
            SELECT j.value->>0, ?, j.value->>1, ?, 'inbound', j.value->>2, j.value->>3, j.value->>4, j.value->>5,
              j.value->>6, j.value->>7, j.value->>8, j.value->>9, j.value->>10, j.value->>11, j.value->>12, j.value->>13,
              j.value->>14, j.value->>15, 'received', j.value->>16, ?
            FROM json_each(?) j WHERE ${lease.sql}
            ON CONFLICT (mailbox_id, message_id) DO NOTHING`,
      args: [ws, mailbox.id, now, JSON.stringify(msgRows), ...lease.args],
    });
  }
  const stored = 'EXISTS (SELECT 1 FROM messages m WHERE m.id = u.mid)';
  if (eventRows.length) {
    stmts.push({
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT u.id, ?, u.type, u.campaign_id, u.contact_id, u.data, ?
            FROM (SELECT j.value->>0 AS id, j.value->>1 AS type, j.value->>2 AS campaign_id, j.value->>3 AS contact_id,
                    j.value->>4 AS data, j.value->>5 AS mid FROM json_each(?) j) u
            WHERE ${stored} ORDER BY u.id`,
      args: [ws, now, JSON.stringify(eventRows)],
    });
  }
  if (threadUpdates.size) {
    const rows = [...threadUpdates].map(([id, t]) => [
      id,
      t.intent,
      t.isOoo,
      t.isAutoReply,
      t.from,
      t.at,
      t.text,
      JSON.stringify(t.msgIds),
    ]);
    stmts.push({
      sql: `UPDATE threads SET reply_intent = u.intent, is_ooo = u.ooo, is_auto_reply = u.auto,
              message_count = message_count + u.n, last_from_email = u.from_email, last_at = u.at, last_body_text = u.body,
              updated_at = ?
            FROM (SELECT j.value->>0 AS tid, j.value->>1 AS intent, j.value->>2 AS ooo, j.value->>3 AS auto,
                    j.value->>4 AS from_email, j.value->>5 AS at, j.value->>6 AS body,
                    (SELECT count(*) FROM messages m WHERE m.id IN (SELECT value FROM json_each(j.value->>7))) AS n
                  FROM json_each(?) j) u
            WHERE threads.id = u.tid AND u.n > 0`,
      args: [now, JSON.stringify(rows)],
    });
  }
  if (sendRows.length) {
    // `+sends.status`: by its index SQLite would visit every sent send there is, then the list
    stmts.push({
      sql: `UPDATE sends SET status = u.st, error = coalesce(u.err, sends.error), updated_at = ?
            FROM (SELECT j.value->>0 AS sid, j.value->>1 AS st, j.value->>2 AS err, j.value->>3 AS mid FROM json_each(?) j) u
            WHERE sends.id = u.sid AND +sends.status = 'sent' AND ${stored}`,
      args: [now, JSON.stringify(sendRows)],
    });
  }
  stmts.push(...late);
  for (const g of changes.values()) {
    stmts.push(
      ...statusChangeStatements(
        { contactIds: [...g.ids], campaignId: g.campaignId },
        { workspaceId: ws, to: g.change.to, from: g.change.from, reason: g.change.reason, guard: opts.guard },
        now,
      ),
    );
  }
  for (const [campaignId, domains] of company) {
    stmts.push(
      ...statusChangeStatements(
        { domains: [...domains], campaignId },
        {
          workspaceId: ws,
          to: 'replied',
          from: ['pending', 'active'],
          reason: 'company_reply',
          guard: opts.guard,
        },
        now,
      ),
    );
  }
  for (const [reason, emails] of suppressions) {
    stmts.push(
      suppressionInsertStatement(ws, 'email', [...emails], reason, now, opts.guard),
      ...statusChangeStatements(
        { emails: [...emails] },
        {
          workspaceId: ws,
          to: 'suppressed',
          reason: 'suppressed',
          from: SUPPRESSIBLE_STATUSES,
          data: { suppressionReason: reason },
          guard: opts.guard,
        },
        now,
      ),
    );
  }
  if (replies.length > 0) {
    // Subsequence routing goes last: the reply has stopped the contact (stop rules) first.
    const routing = await loadRouting(db, [...new Set(replies.map((r) => r.campaignId))]);
    for (const g of routedEnrollments(routing, replies)) {
      const target = { ...g.target, workspaceId: ws, source: 'auto' as const };
      stmts.push(...enrollmentStatements(target, g.rows, now, opts.guard).stmts);
    }
  }
  stmts.push(...(opts.extra ?? []));
  if (stmts.length > 0) await db.client.batch(stmts, 'write');
  return result;
}
