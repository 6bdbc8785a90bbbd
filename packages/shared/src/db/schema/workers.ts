import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Live worker processes: each beats every few seconds; one silent for the dead-after time is
 * dead, and any live worker releases its claims at once (leases and tokens start with its id).
 */
export const workers = sqliteTable(
  'workers',
  {
    id: text('id').primaryKey(),
    pid: integer('pid').notNull(),
    host: text('host').notNull(),
    startedAt: integer('started_at').notNull(),
    heartbeatAt: integer('heartbeat_at').notNull(),
  },
  (t) => [index('workers_heartbeat').on(t.heartbeatAt)],
);
