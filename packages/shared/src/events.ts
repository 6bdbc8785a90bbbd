/**
 * The one module that writes `events` rows (DESIGN.md "Events"): every observable change puts
 * one of these in the same batch as the change it records.
 * - drizzle: {@link eventInsert}, {@link eventInsertIfChanged};
 * - raw statements for libSQL batches: {@link eventStatement} (one event, optionally only when
 *   a condition holds), {@link eventsStatement} (several given events in one statement, for hot
 *   paths) and {@link eventsSelect} (one event per row of a query, set-based).
 */
import type { InArgs, InStatement, InValue } from '@libsql/client';
import { sql } from 'drizzle-orm';
import type { Orm } from './db/client';
import { events } from './db/schema/index';
import { newId } from './ids';

export interface EventInput {
  workspaceId: number;
  type: string;
  campaignId?: string | null;
  contactId?: string | null;
  data: Record<string, unknown>;
}

/** The stored data: `campaignId` first when the event belongs to a campaign. */
function eventData(e: EventInput): Record<string, unknown> {
  return { ...(e.campaignId ? { campaignId: e.campaignId } : {}), ...e.data };
}

/** The insert of one event, to be put in the same batch as the change it records. */
export function eventInsert(orm: Orm, e: EventInput, nowMs: number) {
  return orm.insert(events).values({
    id: newId('event', nowMs),
    workspaceId: e.workspaceId,
    type: e.type,
    campaignId: e.campaignId ?? null,
    contactId: e.contactId ?? null,
    data: eventData(e),
    createdAt: nowMs,
  });
}

/**
 * An event insert that takes effect only when the statement just before it in the same batch
 * changed a row (`changes() > 0`): the event of a conditional write that lost is never written.
 */
export function eventInsertIfChanged(orm: Orm, e: EventInput, nowMs: number) {
  return orm.run(
    sql`INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
        SELECT ${newId('event', nowMs)}, ${e.workspaceId}, ${e.type}, ${e.campaignId ?? null}, ${e.contactId ?? null},
               ${JSON.stringify(eventData(e))}, ${nowMs}
        WHERE changes() > 0`,
  );
}

export interface RawStatement {
  sql: string;
  args: InValue[];
}

/**
 * One event as a raw statement; with `onlyIf` (a SELECT), written only when that query finds a
 * row when the batch runs (e.g. the fenced update before it took effect).
 */
export function eventStatement(e: EventInput, nowMs: number, onlyIf?: RawStatement): RawStatement {
  const base = `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
                SELECT ?, ?, ?, ?, ?, ?, ?`;
  const args: InValue[] = [
    newId('event', nowMs),
    e.workspaceId,
    e.type,
    e.campaignId ?? null,
    e.contactId ?? null,
    JSON.stringify(eventData(e)),
    nowMs,
  ];
  if (!onlyIf) return { sql: base, args };
  return { sql: `${base} WHERE EXISTS (${onlyIf.sql})`, args: [...args, ...onlyIf.args] };
}

/**
 * Several events in one statement, ids in list order, all only when `onlyIf` finds a row; an
 * event marked `guarded` also needs `guard` to find one (e.g. "the contact is still active").
 */
export function eventsStatement(
  list: (EventInput & { guarded?: boolean })[],
  nowMs: number,
  onlyIf: RawStatement,
  guard?: RawStatement,
): RawStatement {
  const rows = list.map((e) => [
    newId('event', nowMs),
    e.workspaceId,
    e.type,
    e.campaignId ?? null,
    e.contactId ?? null,
    JSON.stringify(eventData(e)),
    e.guarded && guard ? 1 : 0,
  ]);
  return {
    sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
          SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, ?
          FROM json_each(?) j
          WHERE EXISTS (${onlyIf.sql}) AND (j.value->>6 = 0${guard ? ` OR EXISTS (${guard.sql})` : ''})
          ORDER BY j.key`,
    args: [nowMs, JSON.stringify(rows), ...onlyIf.args, ...(guard?.args ?? [])],
  };
}

/** SQL expressions for each column of the events the query yields (bound values go in `args`). */
export interface EventColumnsSql {
  id: string;
  workspaceId: string;
  type: string;
  campaignId: string;
  contactId: string;
  data: string;
  createdAt: string;
}

/**
 * Set-based: one event per row of `from` (everything after `SELECT …`, i.e. `FROM … WHERE …`),
 * columns given as SQL expressions; `args` bind the placeholders in order of appearance
 * (or by name).
 */
export function eventsSelect(cols: EventColumnsSql, from: string, args: InArgs): InStatement {
  return {
    sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
          SELECT ${cols.id}, ${cols.workspaceId}, ${cols.type}, ${cols.campaignId}, ${cols.contactId}, ${cols.data}, ${cols.createdAt}
          ${from}`,
    args,
  };
}
