/**
 * Contacts: bulk upsert (imports), the one status-change service, the contact feed.
 *
 * Hot paths use the raw client: a JSON array per 1,000 rows unpacked with `json_each` is one
 * bound value per statement instead of one per column (NOTES.md: ~2× faster).
 */
import type { InStatement } from '@libsql/client';
import { type Db, readRecords } from '../db/client';
import type { ContactStatus } from '../db/schema/index';
import type { Deps } from '../deps';
import { manualStatusRefusal, SENDABLE_CONTACT_STATUSES } from '../domain/contact-status';
import { normalizeEmail } from '../domain/email';
import { CUSTOM_JSON_MAX_DEPTH, valueDepth } from '../domain/json-depth';
import { AppError } from '../errors';
import { type EventInput, eventStatement, eventsSelect } from '../events';
import { idFloor, sqlId, sqlIdExpression, sqlIdPrefix } from '../ids';
import { onSuppressionList } from './suppression-list';
import { isSuppressed } from './suppressions';

export type { ContactStatus };

export const CONTACT_STATUSES = [
  'pending',
  'active',
  'replied',
  'bounced',
  'unsubscribed',
  'suppressed',
  'completed',
  'failed',
] as const satisfies readonly ContactStatus[];

/** Statuses after which a contact gets no more mail: reaching one cancels its unsent sends. */
export const STOPPED_STATUSES: readonly ContactStatus[] = [
  'replied',
  'bounced',
  'unsubscribed',
  'suppressed',
  'completed',
  'failed',
];

/** Send statuses that are still waiting (not handed to SMTP yet) and are canceled when a contact stops. */
export const CANCELABLE_SEND_STATUSES = ['queued', 'scheduled'] as const;

export const STATUS_CHANGED_EVENT = 'contact.status_changed';

export interface Contact {
  id: string;
  workspaceId: number;
  campaignId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  customJson: Record<string, unknown>;
  status: ContactStatus;
  currentStep: number;
  subsequenceId: string | null;
  mailboxId: string | null;
  nextSendAt: number | null;
  lastSentAt: number | null;
  enrolledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

export function rowToContact(r: Record<string, unknown>): Contact {
  return {
    id: r.id as string,
    workspaceId: Number(r.workspace_id),
    campaignId: r.campaign_id as string,
    email: r.email as string,
    firstName: (r.first_name as string | null) ?? null,
    lastName: (r.last_name as string | null) ?? null,
    customJson:
      typeof r.custom_json === 'string'
        ? JSON.parse(r.custom_json)
        : ((r.custom_json as Record<string, unknown>) ?? {}),
    status: r.status as ContactStatus,
    currentStep: Number(r.current_step ?? 0),
    subsequenceId: (r.subsequence_id as string | null) ?? null,
    mailboxId: (r.mailbox_id as string | null) ?? null,
    nextSendAt: num(r.next_send_at),
    lastSentAt: num(r.last_sent_at),
    enrolledAt: num(r.enrolled_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk upsert

/** One valid row to store: `email` already normalised; `custom` holds company, title and custom columns. */
export interface ContactInput {
  email: string;
  firstName: string | null;
  lastName: string | null;
  custom: Record<string, unknown>;
}

/** Rows per statement (one JSON parameter each). */
export const UPSERT_CHUNK = 1000;

/**
 * Upsert on (campaign, email): a new address is inserted (`suppressed` when the workspace
 * suppresses the address or its domain, else `pending`); a known one keeps its status and gets
 * the non-empty names and the custom fields merged in. Two rows with the same address in one
 * statement are fine in SQLite: the second updates the first.
 * The suppression check is inside the statement, so a suppression added concurrently is seen
 * either by this statement or by `addSuppressions`' update of existing contacts.
 */
const UPSERT_SQL = `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status, current_step, created_at, updated_at)
SELECT ${sqlIdExpression({ param: '?4', orderBy: 'j.key' })}, ?1, ?2, j.value->>0, j.value->>1, j.value->>2, j.value->>3,
  CASE WHEN EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = ?1)
        AND (EXISTS (SELECT 1 FROM suppressions s WHERE s.workspace_id = ?1 AND s.kind = 'email' AND s.value = j.value->>0)
          OR EXISTS (SELECT 1 FROM suppressions s WHERE s.workspace_id = ?1 AND s.kind = 'domain'
                     AND s.value = substr(j.value->>0, instr(j.value->>0, '@') + 1)))
       THEN 'suppressed' ELSE 'pending' END,
  0, ?3, ?3
FROM json_each(?5) j WHERE true
ON CONFLICT (campaign_id, email) DO UPDATE SET
  first_name = coalesce(excluded.first_name, contacts.first_name),
  last_name = coalesce(excluded.last_name, contacts.last_name),
  custom_json = json_patch(contacts.custom_json, excluded.custom_json),
  updated_at = excluded.updated_at`;

export interface UpsertTarget {
  workspaceId: number;
  campaignId: string;
}

/**
 * The statements for `rows` (chunks of {@link UPSERT_CHUNK}), one JSON parameter each; contact
 * ids are made in SQL ({@link sqlId}), not one `newId` per row.
 */
export function upsertStatements(t: UpsertTarget, rows: readonly ContactInput[], now: number): InStatement[] {
  const out: InStatement[] = [];
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    const end = Math.min(rows.length, i + UPSERT_CHUNK);
    const part: unknown[] = [];
    for (let k = i; k < end; k++) {
      const r = rows[k]!;
      part.push([r.email, r.firstName, r.lastName, r.custom]);
    }
    out.push({
      sql: UPSERT_SQL,
      args: [t.workspaceId, t.campaignId, now, sqlIdPrefix('contact', now), JSON.stringify(part)],
    });
  }
  return out;
}

export interface UpsertResult {
  /** rows written (each valid row, duplicates within the input included). */
  written: number;
  /** distinct contacts created or updated. */
  upserted: number;
  /** contacts that did not exist before. */
  created: number;
}

/**
 * Upserts rows in one transaction (for the sync paths, ≤ 10,000 rows) and counts what happened:
 * the same transaction first counts which of the addresses the campaign already has.
 */
export async function upsertContacts(
  db: Db,
  t: UpsertTarget,
  rows: readonly ContactInput[],
  now: number,
): Promise<UpsertResult> {
  if (rows.length === 0) return { written: 0, upserted: 0, created: 0 };
  const emails = [...new Set(rows.map((r) => r.email))];
  const results = await db.client.batch(
    [
      {
        sql: 'SELECT count(*) AS n FROM contacts WHERE campaign_id = ? AND email IN (SELECT value FROM json_each(?))',
        args: [t.campaignId, JSON.stringify(emails)],
      },
      ...upsertStatements(t, rows, now),
    ],
    'write',
  );
  const existed = Number(results[0]!.rows[0]!.n);
  return { written: rows.length, upserted: emails.length, created: emails.length - existed };
}

// ---------------------------------------------------------------------------------------------
// Status changes: the one service

/** Which contacts a status change applies to. */
export type ContactSelector =
  | { contactIds: readonly string[]; campaignId?: string }
  | { emails: readonly string[]; campaignId?: string }
  | { domains: readonly string[]; campaignId?: string };

export interface StatusChangeInput {
  workspaceId: number;
  /** the new status (`status` is accepted as an alias). */
  to?: ContactStatus;
  status?: ContactStatus;
  /** why (`suppressed`, `reply`, `manual`, …): stored in the event. */
  reason?: string;
  /** only contacts currently in one of these statuses change (default: any other status). */
  from?: readonly ContactStatus[];
  contactIds?: readonly string[];
  /** a single contact (alias of `contactIds: [contactId]`). */
  contactId?: string;
  campaignId?: string;
  where?: { emails?: readonly string[]; domains?: readonly string[]; campaignId?: string };
  /** extra fields for the event's data. */
  data?: Record<string, unknown>;
}

function selectorSql(sel: ContactSelector, workspaceId: number): { sql: string; args: (string | number)[] } {
  const args: (string | number)[] = [workspaceId];
  // By ids: the unary + keeps SQLite on the primary key instead of scanning the workspace's
  // (or campaign's) contacts through their indexes (the sending loop changes one contact at a time).
  const plus = 'contactIds' in sel ? '+' : '';
  let sql = `${plus}c.workspace_id = ?`;
  if (sel.campaignId) {
    sql += ` AND ${plus}c.campaign_id = ?`;
    args.push(sel.campaignId);
  }
  if ('contactIds' in sel) {
    sql += ' AND c.id IN (SELECT value FROM json_each(?))';
    args.push(JSON.stringify(sel.contactIds));
  } else if ('emails' in sel) {
    sql += ' AND c.email IN (SELECT value FROM json_each(?))';
    args.push(JSON.stringify(sel.emails));
  } else {
    sql += " AND substr(c.email, instr(c.email, '@') + 1) IN (SELECT value FROM json_each(?))";
    args.push(JSON.stringify(sel.domains));
  }
  return { sql, args };
}

/**
 * The `contact.status_changed` event of one contact known to be in status `from` (the event
 * {@link statusChangeStatements} writes, for a caller that writes the change itself in a hot
 * path and checks `from` in the same statements).
 */
export function statusChangedEvent(
  c: { workspaceId: number; campaignId: string; contactId: string; email: string },
  change: { from: ContactStatus; to: ContactStatus; reason: string; data?: Record<string, unknown> },
): EventInput {
  return {
    workspaceId: c.workspaceId,
    type: STATUS_CHANGED_EVENT,
    campaignId: c.campaignId,
    contactId: c.contactId,
    data: {
      ...change.data,
      campaignId: c.campaignId,
      contactId: c.contactId,
      email: c.email,
      status: change.to,
      previousStatus: change.from,
      reason: change.reason,
    },
  };
}

/**
 * The statements of one status change, to run in one batch (in this order): the events
 * (`contact.status_changed` with the previous status, read before the update), the cancelation
 * of the contacts' waiting sends when the new status stops them, then the contacts' update.
 * Compose them with other writes (e.g. a suppression insert) in the same `db.client.batch`.
 */
export function statusChangeStatements(
  sel: ContactSelector,
  opts: {
    workspaceId: number;
    to: ContactStatus;
    reason: string;
    from?: readonly ContactStatus[];
    data?: Record<string, unknown>;
    /** an extra SQL condition every statement must meet (e.g. the inbox loop's "this message is new"). */
    guard?: { sql: string; args: (string | number)[] };
    /** leave contacts whose address or domain is on the suppression list alone (checked in the same statements). */
    unlessSuppressed?: boolean;
  },
  now: number,
): InStatement[] {
  const where = selectorSql(sel, opts.workspaceId);
  const from = (opts.from ?? CONTACT_STATUSES).filter((s) => s !== opts.to);
  let cond = `${where.sql} AND c.status IN (SELECT value FROM json_each(?))`;
  if (opts.unlessSuppressed) {
    cond += ` AND NOT ${onSuppressionList('c.email', 'c.workspace_id')}`;
  }
  if (opts.guard) cond += ` AND (${opts.guard.sql})`;
  const args = [...where.args, JSON.stringify(from), ...(opts.guard?.args ?? [])];
  // In contact order, as the feed lists them; a change of more than 2^20 contacts at once gets
  // longer ids past that row (still unique, after the block).
  const eventId = sqlId('event', now, { orderBy: 'c.id', maxRows: 2 ** 20 });
  const extra = JSON.stringify(opts.data ?? {});
  const stmts: InStatement[] = [
    eventsSelect(
      {
        id: eventId.sql,
        workspaceId: 'c.workspace_id',
        type: '?',
        campaignId: 'c.campaign_id',
        contactId: 'c.id',
        data: `json_patch(json(?), json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email,
                'status', ?, 'previousStatus', c.status, 'reason', ?))`,
        createdAt: '?',
      },
      `FROM contacts c WHERE ${cond}`,
      [eventId.prefix, STATUS_CHANGED_EVENT, extra, opts.to, opts.reason, now, ...args],
    ),
  ];
  if (STOPPED_STATUSES.includes(opts.to)) {
    stmts.push({
      sql: `UPDATE sends SET status = 'canceled', updated_at = ?
            WHERE +status IN ('queued', 'scheduled') AND contact_id IN (SELECT c.id FROM contacts c WHERE ${cond})`,
      args: [now, ...args],
    });
  }
  stmts.push({
    sql: `UPDATE contacts SET status = ?, updated_at = ? WHERE id IN (SELECT c.id FROM contacts c WHERE ${cond})`,
    args: [opts.to, now, ...args],
  });
  return stmts;
}

function isDeps(x: Db | Deps): x is Deps {
  return (x as Deps).clock !== undefined && (x as Deps).db !== undefined;
}

/**
 * THE way a contact's status changes (API, sending engine, replies, unsubscribes, suppressions):
 * the contacts' update, one `contact.status_changed` event per contact (with `previousStatus`)
 * and, when the new status stops the contact, the cancelation of its queued/scheduled sends —
 * in one batch. Contacts already in the target status (or outside `from`) are left alone.
 * Accepts `(db, input, now)` or `(deps, input)`. Returns how many contacts changed.
 */
export async function changeContactStatus(
  dbOrDeps: Db | Deps,
  input: StatusChangeInput,
  now?: number,
): Promise<{ changed: number }> {
  const db = isDeps(dbOrDeps) ? dbOrDeps.db : dbOrDeps;
  const at = now ?? (isDeps(dbOrDeps) ? dbOrDeps.clock.now() : Date.now());
  const to = input.to ?? input.status;
  if (!to || !(CONTACT_STATUSES as readonly string[]).includes(to))
    throw new Error(`changeContactStatus: bad status ${String(to)}`);
  const opts = {
    workspaceId: input.workspaceId,
    to,
    reason: input.reason ?? 'manual',
    from: input.from,
    data: input.data,
  };
  const selectors: ContactSelector[] = [];
  const campaignId = input.campaignId ?? input.where?.campaignId;
  const ids = input.contactIds ?? (input.contactId ? [input.contactId] : undefined);
  if (ids) selectors.push({ contactIds: ids, campaignId });
  if (input.where?.emails?.length) selectors.push({ emails: input.where.emails, campaignId });
  if (input.where?.domains?.length) selectors.push({ domains: input.where.domains, campaignId });
  if (selectors.length === 0) return { changed: 0 };
  const stmts = selectors.flatMap((s) => statusChangeStatements(s, opts, at));
  const results = await db.client.batch(stmts, 'write');
  let changed = 0;
  stmts.forEach((s, i) => {
    if (typeof s !== 'string' && s.sql.startsWith('UPDATE contacts')) changed += results[i]!.rowsAffected;
  });
  return { changed };
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getContact(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
): Promise<Contact> {
  const res = await db.client.execute({
    sql: 'SELECT * FROM contacts WHERE id = ? AND workspace_id = ? AND campaign_id = ?',
    args: [id, workspaceId, campaignId],
  });
  const row = res.rows[0];
  if (!row) throw AppError.notFound('Contact', id);
  return rowToContact(row as Record<string, unknown>);
}

/** The columns `rowToContact` reads, in the order a contacts page selects them. */
export const CONTACT_ROW_COLUMNS = [
  'id',
  'workspace_id',
  'campaign_id',
  'email',
  'first_name',
  'last_name',
  'custom_json',
  'status',
  'current_step',
  'subsequence_id',
  'mailbox_id',
  'next_send_at',
  'last_sent_at',
  'enrolled_at',
  'created_at',
  'updated_at',
] as const;

/** The statement of a contacts page: reads `limit + 1` index entries and rows from the cursor. */
export function contactsPageQuery(
  workspaceId: number,
  campaignId: string,
  opts: { limit: number; after: string | null; status?: ContactStatus },
) {
  // (campaign, status, id) with a status, (campaign, id) without: either way the index is read
  // from the cursor on, in id order, and stops after the page (no sort, no merge).
  const byStatus = opts.status ? ' AND status = ?' : '';
  return {
    sql: `SELECT ${CONTACT_ROW_COLUMNS.join(', ')} FROM contacts INDEXED BY ${opts.status ? 'contacts_campaign_status' : 'contacts_campaign_id'}
          WHERE campaign_id = ?${byStatus} AND id > ? AND workspace_id = ? ORDER BY id LIMIT ?`,
    args: [campaignId, ...(opts.status ? [opts.status] : []), opts.after ?? '', workspaceId, opts.limit + 1],
  };
}

/**
 * A page of a campaign's contacts by id (`limit + 1` rows), keyset on id (the exports' pages;
 * the list route has its own statement, contacts-page.ts).
 */
export async function listContacts(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: { limit: number; after: string | null; status?: ContactStatus },
): Promise<Contact[]> {
  const rows = await readRecords(db, contactsPageQuery(workspaceId, campaignId, opts), CONTACT_ROW_COLUMNS);
  return rows.map(rowToContact);
}

// ---------------------------------------------------------------------------------------------
// Changes feed

export interface ContactChange {
  contactId: string;
  email: string;
  status: ContactStatus;
  previousStatus: ContactStatus | null;
  updatedAt: number;
}

/** Where a changes page stopped in each of its two sources. */
export interface ChangesCursor {
  /** last contact creation returned (contact id). */
  c: string | null;
  /** last event returned: [createdAt, id]. */
  e: [number, string] | null;
}

/**
 * Status changes of a campaign's contacts since `since`, oldest first. Two sources merged by
 * (time, id): the `contact.status_changed` events, and the contacts' creations as changes from
 * `previousStatus: null` (an import of 1M rows then writes no 1M events). A creation's status is
 * the one the contact was created with: the `previousStatus` of its first change event, or its
 * current status when it never changed. The cursor keeps a position in each source, both
 * keyset (ids are time-sortable), so rows added meanwhile never shift a page.
 */
export async function listContactChanges(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: { since: number; cursor: ChangesCursor | null; limit: number },
): Promise<{ items: ContactChange[]; cursor: ChangesCursor | null }> {
  const n = opts.limit + 1;
  const cur = opts.cursor ?? { c: null, e: null };
  const floor = idFloor('contact', opts.since);
  const afterContact = cur.c && cur.c > floor ? cur.c : floor;
  const [cRes, eRes] = await Promise.all([
    db.client.execute({
      sql: `SELECT c.id, c.email, c.created_at,
              coalesce((SELECT e.data->>'previousStatus' FROM events e
                        WHERE e.contact_id = c.id AND e.type = '${STATUS_CHANGED_EVENT}' ORDER BY e.id LIMIT 1), c.status) AS status
            FROM contacts c INDEXED BY contacts_campaign_id
            WHERE c.campaign_id = ? AND c.id > ? AND c.created_at >= ? ORDER BY c.id LIMIT ?`,
      args: [campaignId, afterContact, opts.since, n],
    }),
    db.client.execute({
      sql: `SELECT id, contact_id, data, created_at FROM events
            WHERE campaign_id = ? AND type = ? AND workspace_id = ? AND created_at >= ? AND (created_at, id) > (?, ?)
            ORDER BY created_at, id LIMIT ?`,
      args: [
        campaignId,
        STATUS_CHANGED_EVENT,
        workspaceId,
        opts.since,
        cur.e?.[0] ?? -1,
        cur.e?.[1] ?? '',
        n,
      ],
    }),
  ]);
  type Merged = { t: number; id: string; kind: 'c' | 'e'; change: ContactChange };
  const merged: Merged[] = [];
  for (const r of cRes.rows) {
    const t = Number(r.created_at);
    merged.push({
      t,
      id: r.id as string,
      kind: 'c',
      change: {
        contactId: r.id as string,
        email: r.email as string,
        status: r.status as ContactStatus,
        previousStatus: null,
        updatedAt: t,
      },
    });
  }
  for (const r of eRes.rows) {
    const t = Number(r.created_at);
    const d = JSON.parse(r.data as string) as Record<string, unknown>;
    merged.push({
      t,
      id: r.id as string,
      kind: 'e',
      change: {
        contactId: r.contact_id as string,
        email: d.email as string,
        status: d.status as ContactStatus,
        previousStatus: (d.previousStatus as ContactStatus | null) ?? null,
        updatedAt: t,
      },
    });
  }
  // Same millisecond: `cnt_…` < `evt_…`, so a creation comes before its first change.
  merged.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const shown = merged.slice(0, opts.limit);
  const next: ChangesCursor = { c: cur.c, e: cur.e };
  for (const m of shown) {
    if (m.kind === 'c') next.c = m.id;
    else next.e = [m.t, m.id];
  }
  return { items: shown.map((m) => m.change), cursor: merged.length > opts.limit ? next : null };
}

// ---------------------------------------------------------------------------------------------
// Edits

export interface ContactPatch {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  title?: string | null;
  /** merged (RFC 7386): a key set to null is removed. */
  customJson?: Record<string, unknown>;
  status?: ContactStatus;
}

/** customJson nested deeper than {@link CUSTOM_JSON_MAX_DEPTH} → 422 at `path` (callers other than the API too). */
export function checkCustomDepth(custom: unknown, path: string): void {
  if (valueDepth(custom, CUSTOM_JSON_MAX_DEPTH) > CUSTOM_JSON_MAX_DEPTH)
    throw AppError.validation([
      { path, message: `nests objects/arrays more than ${CUSTOM_JSON_MAX_DEPTH} deep` },
    ]);
}

export async function updateContact(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  patch: ContactPatch,
  now: number,
): Promise<Contact> {
  if (patch.customJson) checkCustomDepth(patch.customJson, 'customJson');
  const current = await getContact(db, workspaceId, campaignId, id);
  const custom: Record<string, unknown> = { ...current.customJson };
  for (const [k, v] of Object.entries(patch.customJson ?? {})) {
    if (v === null) delete custom[k];
    else custom[k] = v;
  }
  for (const k of ['company', 'title'] as const) {
    const v = patch[k];
    if (v === null) delete custom[k];
    else if (v !== undefined) custom[k] = v;
  }
  let email = current.email;
  if (patch.email !== undefined) {
    const e = normalizeEmail(patch.email);
    if (!e) throw AppError.validation([{ path: 'email', message: 'not a valid email address' }]);
    email = e;
  }
  if (email !== current.email) {
    const taken = await db.client.execute({
      sql: 'SELECT 1 FROM contacts WHERE campaign_id = ? AND email = ? AND id != ?',
      args: [campaignId, email, id],
    });
    if (taken.rows.length > 0) throw emailTaken(email);
  }
  const stmts: InStatement[] = [
    {
      sql: `UPDATE contacts SET email = ?, first_name = ?, last_name = ?, custom_json = ?, updated_at = ?
            WHERE id = ? AND workspace_id = ? AND NOT EXISTS
              (SELECT 1 FROM contacts o WHERE o.campaign_id = ? AND o.email = ? AND o.id != ?)`,
      args: [
        email,
        patch.firstName === undefined ? current.firstName : patch.firstName,
        patch.lastName === undefined ? current.lastName : patch.lastName,
        JSON.stringify(custom),
        now,
        id,
        workspaceId,
        campaignId,
        email,
        id,
      ],
    },
  ];
  if (patch.status && patch.status !== current.status) {
    const hit = await isSuppressed(db, workspaceId, email);
    const refusal = manualStatusRefusal({
      email,
      from: current.status,
      to: patch.status,
      emailChanged: email !== current.email,
      suppression: hit.suppressed ? { source: hit.source!, reason: hit.reason! } : null,
    });
    if (refusal) {
      throw new AppError(refusal.code, refusal.message, {
        errors: [{ path: 'status', message: refusal.message }],
        ...(hit.suppressed ? { suppression: { source: hit.source, reason: hit.reason } } : {}),
      });
    }
    // After the fields' update (the guard reads the new email), only from the status read
    // above, and (to a sendable status) only while no suppression holds the address: a
    // suppression or bounce landing meanwhile wins.
    stmts.push(
      ...statusChangeStatements(
        { contactIds: [id], campaignId },
        {
          workspaceId,
          to: patch.status,
          reason: 'manual',
          from: [current.status],
          unlessSuppressed: SENDABLE_CONTACT_STATUSES.includes(patch.status),
        },
        now,
      ),
    );
  }
  const results = await db.client.batch(stmts, 'write');
  if (results[0]!.rowsAffected === 0) {
    throw emailTaken(email);
  }
  return getContact(db, workspaceId, campaignId, id);
}

function emailTaken(email: string): AppError {
  return new AppError('conflict', `Another contact of this campaign has the email ${email}`, {
    errors: [{ path: 'email', message: 'already in this campaign' }],
  });
}

/** Deletes a contact and cancels its waiting sends (sent history stays). */
export async function deleteContact(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  now: number,
): Promise<void> {
  const current = await getContact(db, workspaceId, campaignId, id);
  await db.client.batch(
    [
      {
        sql: `UPDATE sends SET status = 'canceled', updated_at = ? WHERE contact_id = ? AND status IN ('queued', 'scheduled')`,
        args: [now, id],
      },
      { sql: 'DELETE FROM contacts WHERE id = ? AND workspace_id = ?', args: [id, workspaceId] },
      eventStatement(
        {
          workspaceId,
          type: 'contact.deleted',
          campaignId,
          contactId: id,
          data: { contactId: id, email: current.email },
        },
        now,
      ),
    ],
    'write',
  );
}
