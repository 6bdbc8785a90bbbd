import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
