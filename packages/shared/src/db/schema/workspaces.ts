import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const workspaces = sqliteTable('workspaces', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  projectName: text('project_name').notNull(),
  description: text('description'),
  createdAt: integer('created_at').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    name: text('name'),
    hash: text('hash').notNull(),
    prefix: text('prefix').notNull(),
    last4: text('last4').notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.hash), index('api_keys_workspace').on(t.workspaceId, t.id)],
);

/** Stored responses of POSTs made with an `Idempotency-Key`, kept 24 h. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    workspaceId: integer('workspace_id').notNull(),
    key: text('key').notNull(),
    /** '' while the first request's body is still streaming into its handler. */
    fingerprint: text('fingerprint').notNull(),
    /** null while the first request is still running. */
    status: integer('status'),
    responseBody: text('response_body'),
    contentType: text('content_type'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] }), index('idempotency_created').on(t.createdAt)],
);

/** The event log: every observable change, written in the same batch as the change. */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    type: text('type').notNull(),
    campaignId: text('campaign_id'),
    contactId: text('contact_id'),
    data: text('data', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('events_workspace').on(t.workspaceId, t.id),
    index('events_campaign_type').on(t.campaignId, t.type, t.createdAt, t.id),
    // A contact's history (e.g. its status before the first change, for contacts/changes).
    index('events_contact').on(t.contactId, t.id).where(sql`contact_id IS NOT NULL`),
  ],
);

/** Periodic tasks run once across workers: the first insert of (task, run_at) wins. */
export const cronRuns = sqliteTable(
  'cron_runs',
  {
    task: text('task').notNull(),
    runAt: integer('run_at').notNull(),
    worker: text('worker'),
  },
  (t) => [primaryKey({ columns: [t.task, t.runAt] })],
);
