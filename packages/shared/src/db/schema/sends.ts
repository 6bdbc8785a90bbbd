import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type SendStatus =
  | 'queued'
  | 'scheduled'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'bounced'
  | 'skipped'
  | 'canceled'
  | 'replied';

export const sends = sqliteTable(
  'sends',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    contactId: text('contact_id').notNull(),
    stepId: text('step_id').notNull(),
    variantId: text('variant_id'),
    mailboxId: text('mailbox_id').notNull(),
    campaignMailboxId: text('campaign_mailbox_id').notNull(),
    to: text('to_email').notNull(),
    status: text('status').$type<SendStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    scheduledAt: integer('scheduled_at').notNull(),
    sentAt: integer('sent_at'),
    messageId: text('message_id').notNull(),
    error: text('error'),
    leaseId: text('lease_id'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Exactly once per step: a second send row for (contact, step) cannot exist.
    uniqueIndex('sends_contact_step').on(t.contactId, t.stepId),
    index('sends_campaign').on(t.campaignId, t.id),
    index('sends_campaign_status').on(t.campaignId, t.status, t.id),
    index('sends_mailbox_time').on(t.mailboxId, t.scheduledAt),
    index('sends_cmb_time').on(t.campaignMailboxId, t.scheduledAt),
    index('sends_message_id').on(t.messageId),
    index('sends_status_lease').on(t.status, t.leaseUntil),
  ],
);
