import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export type JobState = 'queued' | 'running' | 'retry' | 'succeeded' | 'failed';

/** One queue for all background work (launches, imports, inbox polls, webhook deliveries). */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    kind: text('kind').notNull(),
    refId: text('ref_id'),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    state: text('state').$type<JobState>().notNull(),
    priority: integer('priority').notNull().default(0),
    runAt: integer('run_at').notNull(),
    leaseId: text('lease_id'),
    leaseUntil: integer('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    error: text('error'),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('jobs_claim').on(t.state, t.runAt), index('jobs_ref').on(t.kind, t.refId)],
);
