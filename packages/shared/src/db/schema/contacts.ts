import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type ContactStatus =
  | 'pending'
  | 'active'
  | 'replied'
  | 'bounced'
  | 'unsubscribed'
  | 'suppressed'
  | 'completed'
  | 'failed';

export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    /** lower-cased; the upsert key with the campaign. */
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    /** company, title and every custom column. */
    customJson: text('custom_json', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<ContactStatus>().notNull(),
    /** order of the last step sent (0 = none yet). */
    currentStep: integer('current_step').notNull().default(0),
    subsequenceId: text('subsequence_id'),
    /** sticky sender: the mailbox that sent step 1. */
    mailboxId: text('mailbox_id'),
    nextSendAt: integer('next_send_at'),
    /** an out-of-office return: no step before this instant (next_send_at is pushed to it too). */
    holdUntil: integer('hold_until'),
    lastSentAt: integer('last_sent_at'),
    enrolledAt: integer('enrolled_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('contacts_campaign_email').on(t.campaignId, t.email),
    index('contacts_campaign_status').on(t.campaignId, t.status, t.id),
    // the unfiltered contacts page: 50 index entries from the cursor, whatever its depth
    index('contacts_campaign_id').on(t.campaignId, t.id),
    index('contacts_workspace_email').on(t.workspaceId, t.email),
    // The dispatch loop reads only due, active contacts: its cost follows the due work.
    index('contacts_due').on(t.nextSendAt).where(sql`status = 'active'`),
    // Per campaign and sticky sender: each sendable campaign mailbox reads only its own due contacts.
    index('contacts_dispatch').on(t.campaignId, t.mailboxId, t.nextSendAt).where(sql`status = 'active'`),
  ],
);

export type ImportStatus = 'pending_mapping' | 'queued' | 'processing' | 'completed' | 'failed';

export const imports = sqliteTable(
  'imports',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    status: text('status').$type<ImportStatus>().notNull(),
    fileName: text('file_name'),
    fileBytes: integer('file_bytes').notNull(),
    columns: text('columns', { mode: 'json' }).$type<string[]>().notNull(),
    sampleRows: text('sample_rows', { mode: 'json' }).$type<Record<string, string>[]>().notNull(),
    mapping: text('mapping', { mode: 'json' }).$type<Record<string, string | null> | null>(),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    /** bytes of the file read so far: progress = processedBytes / fileBytes. */
    processedBytes: integer('processed_bytes').notNull().default(0),
    imported: integer('imported').notNull().default(0),
    invalid: integer('invalid').notNull().default(0),
    errors: text('errors', { mode: 'json' })
      .$type<{ row: number; email: string; reason: string }[]>()
      .notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('imports_workspace').on(t.workspaceId, t.id)],
);

/** The uploaded file, in the database so API and worker may run on different machines. */
export const importChunks = sqliteTable(
  'import_chunks',
  {
    importId: text('import_id').notNull(),
    seq: integer('seq').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

export const suppressions = sqliteTable(
  'suppressions',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    kind: text('kind').$type<'email' | 'domain'>().notNull(),
    value: text('value').notNull(),
    reason: text('reason').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('suppressions_value').on(t.workspaceId, t.kind, t.value),
    index('suppressions_list').on(t.workspaceId, t.id),
  ],
);
