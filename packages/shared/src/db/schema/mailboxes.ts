import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export interface ServerSettings {
  host: string;
  port: number;
  secure: boolean;
  username: string;
}

export interface ConnectionCheck {
  ok: boolean;
  error?: string;
}

export interface LastCheck {
  smtp: ConnectionCheck | null;
  imap: ConnectionCheck | null;
  at: number | null;
}

export const mailboxes = sqliteTable(
  'mailboxes',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    /** lower-cased. */
    address: text('address').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name'),
    signatureHtml: text('signature_html'),
    /** mailbox-wide cap over all campaigns, per rolling 24 h. */
    dailyLimit: integer('daily_limit').notNull(),
    status: text('status').$type<'unverified' | 'verified' | 'failing'>().notNull(),
    smtp: text('smtp', { mode: 'json' }).$type<ServerSettings>().notNull(),
    smtpPassword: text('smtp_password').notNull(),
    imap: text('imap', { mode: 'json' }).$type<ServerSettings>().notNull(),
    imapPassword: text('imap_password').notNull(),
    lastCheck: text('last_check', { mode: 'json' }).$type<LastCheck>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('mailboxes_address').on(t.workspaceId, t.address),
    index('mailboxes_list').on(t.workspaceId, t.id),
  ],
);

export const campaignMailboxes = sqliteTable(
  'campaign_mailboxes',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull(),
    mailboxId: text('mailbox_id').notNull(),
    weight: integer('weight').notNull(),
    state: text('state').$type<'active' | 'paused'>().notNull(),
    dailyLimit: integer('daily_limit').notNull(),
    gapBaseSeconds: integer('gap_base_seconds').notNull(),
    gapJitterSeconds: integer('gap_jitter_seconds').notNull(),
    /** the next free sending slot, reserved by compare-and-set. */
    nextAvailableAt: integer('next_available_at').notNull().default(0),
    /** new contacts given this mailbox as their sender (the weighted rotation keeps shares by it). */
    assignedContacts: integer('assigned_contacts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('campaign_mailboxes_pair').on(t.campaignId, t.mailboxId),
    index('campaign_mailboxes_mailbox').on(t.mailboxId),
  ],
);
