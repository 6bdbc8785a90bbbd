import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The Unibox: one thread per (contact, mailbox) — the conversation a mailbox holds with one
 * contact. The `last_*` columns and `message_count` are kept on the thread so a page of the
 * list is one index range read (newest activity first) with no join or aggregate.
 */
export const threads = sqliteTable(
  'threads',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    contactId: text('contact_id').notNull(),
    mailboxId: text('mailbox_id').notNull(),
    /** the first Message-ID of the conversation (our first send to the contact). */
    externalThreadId: text('external_thread_id').notNull(),
    subject: text('subject').notNull(),
    subjectDisplay: text('subject_display').notNull(),
    replyIntent: text('reply_intent'),
    isOoo: integer('is_ooo', { mode: 'boolean' }).notNull().default(false),
    isAutoReply: integer('is_auto_reply', { mode: 'boolean' }).notNull().default(false),
    /** every message of the thread: our sends to the contact, inbound mail, Unibox replies. */
    messageCount: integer('message_count').notNull().default(0),
    lastFromEmail: text('last_from_email'),
    lastAt: integer('last_at'),
    lastBodyText: text('last_body_text'),
    createdAt: integer('created_at').notNull(),
    /** the last activity (a message in or out, a label change): the list's order. */
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('threads_contact_mailbox').on(t.contactId, t.mailboxId),
    index('threads_list').on(t.workspaceId, t.updatedAt, t.id),
    index('threads_intent').on(t.workspaceId, t.replyIntent, t.updatedAt, t.id),
    index('threads_campaign').on(t.campaignId, t.updatedAt, t.id),
    index('threads_mailbox').on(t.mailboxId, t.updatedAt, t.id),
    // a campaign's or mailbox's threads of some intents: one range per intent, like threads_intent
    index('threads_campaign_intent').on(t.campaignId, t.replyIntent, t.updatedAt, t.id),
    index('threads_mailbox_intent').on(t.mailboxId, t.replyIntent, t.updatedAt, t.id),
  ],
);

/**
 * Stored messages of a thread: inbound mail (replies, auto-replies, bounces, complaints) and
 * replies sent from the Unibox. The campaign's own sends stay in `sends` and are read with them.
 */
export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    threadId: text('thread_id').notNull(),
    mailboxId: text('mailbox_id').notNull(),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    /** inbound: reply | auto_reply | bounce | complaint; null for outbound. */
    kind: text('kind'),
    /** the Message-ID header, with angle brackets (a stable hash when the mail had none). */
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references', { mode: 'json' }).$type<string[]>().notNull(),
    fromEmail: text('from_email').notNull(),
    toEmails: text('to_emails', { mode: 'json' }).$type<string[]>().notNull(),
    ccEmails: text('cc_emails', { mode: 'json' }).$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text'),
    bodyHtml: text('body_html'),
    /** inbound: the new text (quoted history and signature stripped). */
    text: text('text'),
    replyIntent: text('reply_intent'),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull(),
    /** the send this message answered (inbound) or null. */
    sendId: text('send_id'),
    /** outbound Unibox replies: sending (reserved before SMTP) → sent | failed. */
    status: text('status').$type<'received' | 'sending' | 'sent' | 'failed'>().notNull(),
    error: text('error'),
    /** outbound: the request's Idempotency-Key, so a retried reply finds its reserved row. */
    requestKey: text('request_key'),
    dateReceived: integer('date_received').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // The same message delivered twice (or re-read after a UIDVALIDITY change) is stored once.
    uniqueIndex('messages_mailbox_message_id').on(t.mailboxId, t.messageId),
    uniqueIndex('messages_request_key').on(t.threadId, t.requestKey),
    index('messages_thread').on(t.threadId, t.dateReceived, t.id),
    index('messages_mailbox_out').on(t.mailboxId, t.direction, t.createdAt),
  ],
);

/** Per mailbox and folder: where the last read stopped (RFC 3501 UIDVALIDITY + last UID). */
export const imapFolders = sqliteTable(
  'imap_folders',
  {
    mailboxId: text('mailbox_id').notNull(),
    path: text('path').notNull(),
    uidValidity: text('uid_validity').notNull(),
    lastUid: integer('last_uid').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailboxId, t.path] })],
);

/** A mailbox's inbox state (`inbox` on GET /mailboxes/{id}). */
export const mailboxInbox = sqliteTable('mailbox_inbox', {
  mailboxId: text('mailbox_id').primaryKey(),
  workspaceId: integer('workspace_id').notNull(),
  lastReadAt: integer('last_read_at'),
  lastError: text('last_error'),
  messagesSeen: integer('messages_seen').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});
