import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Counters behind `/stats`, kept by triggers on `contacts` and `sends` (migration
 * 0001_counters): every insert, delete and status change adjusts them in the same statement's
 * transaction, whatever code path made it, so stats cost O(statuses) instead of O(contacts).
 * `services/counters.ts` recomputes them (the repair task) should they ever drift.
 */
export const contactCounts = sqliteTable(
  'campaign_contact_counts',
  {
    campaignId: text('campaign_id').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.status] })],
);

/** Per (campaign, step, variant, send status); `variant_id` is '' for a step without variants. */
export const sendCounts = sqliteTable(
  'campaign_send_counts',
  {
    campaignId: text('campaign_id').notNull(),
    stepId: text('step_id').notNull(),
    variantId: text('variant_id').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.stepId, t.variantId, t.status] })],
);
