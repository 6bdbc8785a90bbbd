/**
 * Workspace-wide suppressions (addresses and whole domains). Adding one marks the matching
 * contacts of every campaign `suppressed` (with their events, waiting sends canceled) in the
 * same batch; imports store suppressed addresses as `suppressed` (see `upsertStatements`).
 * A domain suppression matches addresses whose domain is exactly that domain.
 */
import type { InStatement } from '@libsql/client';
import type { Db } from '../db/client';
import type { ContactStatus } from '../db/schema/index';
import { normalizeEmail } from '../domain/email';
import { AppError, type FieldError } from '../errors';
import { sqlId } from '../ids';
import { statusChangeStatements } from './contacts';

export type SuppressionKind = 'email' | 'domain';

export interface Suppression {
  id: string;
  workspaceId: number;
  kind: SuppressionKind;
  value: string;
  reason: string;
  createdAt: number;
}

/** Statuses a new suppression overrides; replies, bounces and unsubscribes are kept as they are. */
export const SUPPRESSIBLE_STATUSES: readonly ContactStatus[] = ['pending', 'active', 'completed', 'failed'];

const DOMAIN_RE =
  /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** `@Acme.COM ` → `acme.com`; null when not a hostname with a dot. */
export function normalizeDomain(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const d = raw.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  return DOMAIN_RE.test(d) && !/^\d+$/.test(d.slice(d.lastIndexOf('.') + 1)) ? d : null;
}

function rowToSuppression(r: Record<string, unknown>): Suppression {
  return {
    id: r.id as string,
    workspaceId: Number(r.workspace_id),
    kind: r.kind as SuppressionKind,
    value: r.value as string,
    reason: r.reason as string,
    createdAt: Number(r.created_at),
  };
}

export interface AddSuppressionsInput {
  emails?: readonly string[];
  domains?: readonly string[];
  reason: string;
}

/** The insert of suppressions (existing ones left alone), for a caller's own batch. */
export function suppressionInsertStatement(
  workspaceId: number,
  kind: SuppressionKind,
  values: string[],
  reason: string,
  now: number,
  guard?: { sql: string; args: (string | number)[] },
): InStatement {
  const id = sqlId('suppression', now);
  return {
    sql: `INSERT INTO suppressions (id, workspace_id, kind, value, reason, created_at)
          SELECT ${id.sql}, ?, ?, j.value, ?, ? FROM json_each(?) j WHERE ${guard ? `(${guard.sql})` : 'true'}
          ON CONFLICT (workspace_id, kind, value) DO NOTHING RETURNING id`,
    args: [id.prefix, workspaceId, kind, reason, now, JSON.stringify(values), ...(guard?.args ?? [])],
  };
}

/**
 * Adds suppressions and, in the same batch, marks every matching contact of the workspace
 * `suppressed` (events written, queued/scheduled sends canceled). Invalid entries → 422 naming
 * each (`emails.2`). Returns how many were new and how many already existed.
 */
export async function addSuppressions(
  db: Db,
  workspaceId: number,
  input: AddSuppressionsInput,
  now: number,
): Promise<{ added: number; alreadySuppressed: number; contactsSuppressed: number }> {
  const errors: FieldError[] = [];
  const emails = new Set<string>();
  const domains = new Set<string>();
  (input.emails ?? []).forEach((raw, i) => {
    const e = normalizeEmail(raw);
    if (e) emails.add(e);
    else
      errors.push({
        path: `emails.${i}`,
        message: `'${String(raw).slice(0, 100)}' is not a valid email address`,
      });
  });
  (input.domains ?? []).forEach((raw, i) => {
    const d = normalizeDomain(raw);
    if (d) domains.add(d);
    else
      errors.push({ path: `domains.${i}`, message: `'${String(raw).slice(0, 100)}' is not a domain name` });
  });
  if (errors.length > 0) throw AppError.validation(errors);
  if (emails.size + domains.size === 0) {
    throw AppError.validation([{ path: 'emails', message: 'give at least one email or domain' }]);
  }
  const stmts: InStatement[] = [];
  const opts = {
    workspaceId,
    to: 'suppressed' as const,
    reason: 'suppressed',
    from: SUPPRESSIBLE_STATUSES,
    data: { suppressionReason: input.reason },
  };
  const inserts: number[] = [];
  const contactUpdates: number[] = [];
  const push = (kind: SuppressionKind, values: Set<string>) => {
    if (values.size === 0) return;
    const list = [...values];
    inserts.push(stmts.length);
    stmts.push(suppressionInsertStatement(workspaceId, kind, list, input.reason, now));
    const change = statusChangeStatements(kind === 'email' ? { emails: list } : { domains: list }, opts, now);
    stmts.push(...change);
    contactUpdates.push(stmts.length - 1);
  };
  push('email', emails);
  push('domain', domains);
  const results = await db.client.batch(stmts, 'write');
  const added = inserts.reduce((n, i) => n + results[i]!.rows.length, 0);
  const contactsSuppressed = contactUpdates.reduce((n, i) => n + results[i]!.rowsAffected, 0);
  return { added, alreadySuppressed: emails.size + domains.size - added, contactsSuppressed };
}

export interface SuppressionStatus {
  email: string;
  suppressed: boolean;
  reason: string | null;
  source: SuppressionKind | null;
  createdAt: number | null;
}

/** Whether an address is suppressed in the workspace, by itself or by its domain. */
export async function isSuppressed(
  db: Db,
  workspaceId: number,
  rawEmail: string,
): Promise<SuppressionStatus> {
  const email = rawEmail.trim().toLowerCase();
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const res = await db.client.execute({
    sql: `SELECT kind, reason, created_at FROM suppressions
          WHERE workspace_id = ? AND ((kind = 'email' AND value = ?) OR (kind = 'domain' AND value = ?))
          ORDER BY kind = 'email' DESC LIMIT 1`,
    args: [workspaceId, email, domain],
  });
  const r = res.rows[0];
  if (!r) return { email, suppressed: false, reason: null, source: null, createdAt: null };
  return {
    email,
    suppressed: true,
    reason: r.reason as string,
    source: r.kind as SuppressionKind,
    createdAt: Number(r.created_at),
  };
}

export async function listSuppressions(
  db: Db,
  workspaceId: number,
  opts: { limit: number; after: string | null; kind?: SuppressionKind },
): Promise<Suppression[]> {
  const res = await db.client.execute({
    sql: `SELECT * FROM suppressions WHERE workspace_id = ? AND id > ? ${opts.kind ? 'AND kind = ?' : ''} ORDER BY id LIMIT ?`,
    args: opts.kind
      ? [workspaceId, opts.after ?? '', opts.kind, opts.limit + 1]
      : [workspaceId, opts.after ?? '', opts.limit + 1],
  });
  return res.rows.map((r) => rowToSuppression(r as Record<string, unknown>));
}

/**
 * Removes one suppression (404 when there is none). Contacts it suppressed stay `suppressed`:
 * re-activating them is a deliberate act (PATCH the contact), which the list refuses while it
 * holds the address (see `manualStatusRefusal`).
 */
export async function deleteSuppression(
  db: Db,
  workspaceId: number,
  target: { email?: string; domain?: string },
): Promise<void> {
  const kind: SuppressionKind = target.email !== undefined ? 'email' : 'domain';
  const value =
    kind === 'email'
      ? target.email!.trim().toLowerCase()
      : (normalizeDomain(target.domain) ?? target.domain!.trim().toLowerCase());
  const res = await db.client.execute({
    sql: 'DELETE FROM suppressions WHERE workspace_id = ? AND kind = ? AND value = ?',
    args: [workspaceId, kind, value],
  });
  if (res.rowsAffected === 0)
    throw AppError.notFound(kind === 'email' ? 'Suppression for' : 'Suppression for domain', value);
}
