import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type WebhookSubscriptionStatus = 'active' | 'paused' | 'disabled';
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export const webhookSubscriptions = sqliteTable(
  'webhook_subscriptions',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    endpoint: text('endpoint').notNull(),
    eventTypes: text('event_types', { mode: 'json' }).notNull().$type<string[]>(),
    replyIntents: text('reply_intents', { mode: 'json' }).notNull().$type<string[]>(),
    campaignIds: text('campaign_ids', { mode: 'json' }).notNull().$type<string[]>(),
    ignoreOoo: integer('ignore_ooo', { mode: 'boolean' }).notNull(),
    ignoreAutoReply: integer('ignore_auto_reply', { mode: 'boolean' }).notNull(),
    status: text('status').$type<WebhookSubscriptionStatus>().notNull(),
    /** Sealed with the deps' SecretBox, like mailbox passwords. */
    secret: text('secret').notNull(),
    /** The secret before the last rotation: it keeps signing until `previousSecretUntil`. */
    previousSecret: text('previous_secret'),
    previousSecretUntil: integer('previous_secret_until'),
    /** Events up to this log position happened before the subscription existed. */
    fromSeq: integer('from_seq').notNull(),
    /** Set by the first failed attempt after a success; 5 days of failures disable. */
    failingSince: integer('failing_since'),
    disabledReason: text('disabled_reason'),
    /** The worker delivering for this subscription holds it (serial per subscription). */
    leaseId: text('lease_id'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('webhook_subscriptions_workspace').on(t.workspaceId, t.id)],
);

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    /** `whd_…`: also the `webhook-id` header, the same on every attempt. */
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    /** Position of the event in the log: deliveries of a subscription go in this order. */
    eventSeq: integer('event_seq').notNull(),
    /** The exact body signed and sent on every attempt. */
    payload: text('payload').notNull(),
    status: text('status').$type<WebhookDeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastAttemptAt: integer('last_attempt_at'),
    responseStatus: integer('response_status'),
    responseBodySnippet: text('response_body_snippet'),
    durationMs: integer('duration_ms'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // Fan-out is idempotent: one delivery per (subscription, event) whoever writes it.
    uniqueIndex('webhook_deliveries_sub_event').on(t.subscriptionId, t.eventId),
    index('webhook_deliveries_queue').on(t.subscriptionId, t.status, t.eventSeq),
    index('webhook_deliveries_sub_id').on(t.subscriptionId, t.id),
    // The hourly purge of settled deliveries.
    index('webhook_deliveries_settled').on(t.status, t.createdAt),
  ],
);

/**
 * The event log's commit order. A trigger on `events` appends every new event here; SQLite has
 * one writer at a time, so `seq` grows in commit order even when two processes made their event
 * ids (time-sortable, per-process) out of order. AUTOINCREMENT: never reused, kept by VACUUM.
 */
export const webhookEventSeq = sqliteTable('webhook_event_seq', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  eventId: text('event_id').notNull(),
});

/** Where the fan-out has read the log up to (one row per reader). */
export const webhookCursors = sqliteTable('webhook_cursors', {
  name: text('name').primaryKey(),
  position: integer('position').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
