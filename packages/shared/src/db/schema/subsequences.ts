import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type EnrollmentMode = 'manual' | 'auto';

/**
 * Follow-up sequences a reply routes a contact into (API.md "Subsequences"). Their steps are
 * rows of `steps` with `subsequence_id` set. A deleted subsequence keeps its row (`deleted_at`)
 * so the sends of its steps still read as they were sent.
 */
export const subsequences = sqliteTable(
  'subsequences',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull(),
    name: text('name').notNull(),
    enrollmentMode: text('enrollment_mode').$type<EnrollmentMode>().notNull(),
    status: text('status').$type<'active'>().notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at'),
    deletedAt: integer('deleted_at'),
  },
  (t) => [uniqueIndex('subsequences_campaign').on(t.campaignId, t.id)],
);

/**
 * Which subsequences a contact entered: once per subsequence (the primary key), whatever moved it
 * (an auto rule on a reply, a corrected intent, a person's enroll). `completed_at` is set by a
 * trigger (migration 0006_subsequences) when the contact completes while in that subsequence.
 */
export const subsequenceEnrollments = sqliteTable(
  'subsequence_enrollments',
  {
    contactId: text('contact_id').notNull(),
    subsequenceId: text('subsequence_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    workspaceId: integer('workspace_id').notNull(),
    /** auto (a routing rule) | manual (POST …/enroll). */
    source: text('source').$type<'auto' | 'manual'>().notNull(),
    threadId: text('thread_id'),
    /** the `subsequence.enrolled` event: later statements of the batch key on it. */
    eventId: text('event_id').notNull(),
    enrolledAt: integer('enrolled_at').notNull(),
    completedAt: integer('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.subsequenceId] }),
    index('subsequence_enrollments_sub').on(t.subsequenceId, t.completedAt),
    uniqueIndex('subsequence_enrollments_event').on(t.eventId),
  ],
);
