/**
 * The mailbox registry: the sending identities a campaign attaches by address.
 *
 * Passwords are write-only: they are encrypted with the deps' `SecretBox` (AES-256-GCM) before
 * they reach the database and are never part of a returned object. Logging in is I/O the shared
 * package does not do itself: callers pass a {@link MailboxChecker} (the worker's SMTP/IMAP
 * adapters), and the result is stored in `lastCheck` (and the mailbox `status`).
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  type ConnectionCheck,
  campaignMailboxes,
  campaigns,
  type LastCheck,
  mailboxes,
  type ServerSettings,
} from '../db/schema/index';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { eventInsert } from '../events';
import { newId } from '../ids';
import { checkHost } from '../net/ssrf';

export type MailboxRow = typeof mailboxes.$inferSelect;
export type MailboxStatus = MailboxRow['status'];

/** Server settings with the password, as a caller sends them. */
export interface ServerInput extends ServerSettings {
  password: string;
}

export interface CreateMailboxInput {
  address: string;
  firstName: string;
  lastName?: string | null;
  signatureHtml?: string | null;
  dailyLimit?: number;
  smtp: ServerInput;
  imap: ServerInput;
}

export interface UpdateMailboxInput {
  firstName?: string;
  lastName?: string | null;
  signatureHtml?: string | null;
  dailyLimit?: number;
  smtp?: Partial<ServerInput>;
  imap?: Partial<ServerInput>;
}

/**
 * Where a login connects: `host` is the checked IP address, `servername` the name the user gave
 * (TLS SNI and certificate check).
 */
export interface ConnectTarget extends ServerSettings {
  servername?: string;
}

/** Live logins, bounded by a timeout; never throws (a failure is `{ok: false, error}`). */
export interface MailboxChecker {
  smtp(settings: ConnectTarget, password: string, timeoutMs: number): Promise<ConnectionCheck>;
  imap(settings: ConnectTarget, password: string, timeoutMs: number): Promise<ConnectionCheck>;
}

export const DEFAULT_MAILBOX_DAILY_LIMIT = 50;
/** How long one login attempt may take. */
export const MAILBOX_CHECK_TIMEOUT_MS = 10_000;
/** A successful check younger than this is reused by preflight. */
export const MAILBOX_CHECK_MAX_AGE_MS = 10 * 60_000;

const NO_CHECK: LastCheck = { smtp: null, imap: null, at: null };

/** The sealed (encrypted) form of a password, as stored. */
export function sealPassword(deps: Pick<Deps, 'secrets'>, password: string): string {
  return deps.secrets.encrypt(password);
}

function settingsOf(s: ServerInput | ServerSettings): ServerSettings {
  return { host: s.host, port: s.port, secure: s.secure, username: s.username };
}

/**
 * 422 naming `smtp.host`/`imap.host` when a host is (or resolves to) a private, loopback,
 * link-local, CGNAT or ULA address and the deployment does not allow them. A name that does
 * not resolve yet is accepted here: every login check resolves (and checks) it again.
 */
async function assertPublicHosts(
  config: Deps['config'],
  hosts: { smtp?: string; imap?: string },
): Promise<void> {
  if (config.mailboxAllowPrivate) return;
  const errors: { path: string; message: string }[] = [];
  for (const side of ['smtp', 'imap'] as const) {
    const host = hosts[side];
    if (host === undefined) continue;
    const r = await checkHost(host, { allowPrivate: false });
    if (!r.ok && r.code === 'private_address') {
      errors.push({
        path: `${side}.host`,
        message: `${r.reason} (OUTREACH_MAILBOX_ALLOW_PRIVATE=true allows them)`,
      });
    }
  }
  if (errors.length > 0) throw AppError.validation(errors);
}

/**
 * Resolves and checks a mailbox server's host just before connecting: the settings to connect
 * with (`host` = the checked address, `servername` = the name), or why not. Logins use it; the
 * sending loop's transports should too.
 */
export async function mailboxConnectTarget(
  config: Deps['config'],
  settings: ServerSettings,
): Promise<{ ok: true; target: ConnectTarget } | { ok: false; error: string }> {
  const r = await checkHost(settings.host, { allowPrivate: config.mailboxAllowPrivate });
  if (!r.ok) return { ok: false, error: r.reason };
  return { ok: true, target: { ...settings, host: r.address, servername: settings.host } };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { message?: string; cause?: { message?: string } };
  return /UNIQUE constraint failed/.test(`${e?.message ?? ''} ${e?.cause?.message ?? ''}`);
}

export async function createMailbox(
  deps: Pick<Deps, 'db' | 'secrets' | 'config'>,
  workspaceId: number,
  input: CreateMailboxInput,
  now: number,
): Promise<MailboxRow> {
  await assertPublicHosts(deps.config, { smtp: input.smtp.host, imap: input.imap.host });
  const address = input.address.trim().toLowerCase();
  const row: MailboxRow = {
    id: newId('mailbox', now),
    workspaceId,
    address,
    firstName: input.firstName,
    lastName: input.lastName ?? null,
    signatureHtml: input.signatureHtml ?? null,
    dailyLimit: input.dailyLimit ?? DEFAULT_MAILBOX_DAILY_LIMIT,
    status: 'unverified',
    smtp: settingsOf(input.smtp),
    smtpPassword: sealPassword(deps, input.smtp.password),
    imap: settingsOf(input.imap),
    imapPassword: sealPassword(deps, input.imap.password),
    lastCheck: NO_CHECK,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.db.orm.batch([
      deps.db.orm.insert(mailboxes).values(row),
      eventInsert(
        deps.db.orm,
        { workspaceId, type: 'mailbox.created', data: { mailboxId: row.id, address } },
        now,
      ),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('conflict', `A mailbox with address ${address} already exists in this workspace`, {
        errors: [{ path: 'address', message: `${address} is already registered` }],
      });
    }
    throw err;
  }
  return row;
}

/** A mailbox of this workspace, or 404. */
export async function getMailbox(db: Db, workspaceId: number, id: string): Promise<MailboxRow> {
  const row = await db.orm.query.mailboxes.findFirst({
    where: and(eq(mailboxes.id, id), eq(mailboxes.workspaceId, workspaceId)),
  });
  if (!row) throw AppError.notFound('Mailbox', id);
  return row;
}

export async function findMailboxByAddress(
  db: Db,
  workspaceId: number,
  address: string,
): Promise<MailboxRow | undefined> {
  return db.orm.query.mailboxes.findFirst({
    where: and(eq(mailboxes.workspaceId, workspaceId), eq(mailboxes.address, address.trim().toLowerCase())),
  });
}

export async function listMailboxes(
  db: Db,
  workspaceId: number,
  opts: { limit: number; after: string | null; status?: MailboxStatus },
) {
  return db.orm
    .select()
    .from(mailboxes)
    .where(
      and(
        eq(mailboxes.workspaceId, workspaceId),
        opts.after ? gt(mailboxes.id, opts.after) : undefined,
        opts.status ? eq(mailboxes.status, opts.status) : undefined,
      ),
    )
    .orderBy(asc(mailboxes.id))
    .limit(opts.limit + 1);
}

/**
 * Changes names, signature, cap or server settings. A change of either server's settings or
 * password forgets the last check and sets the mailbox `unverified` until it is verified again.
 */
export async function updateMailbox(
  deps: Pick<Deps, 'db' | 'secrets' | 'config'>,
  workspaceId: number,
  id: string,
  patch: UpdateMailboxInput,
  now: number,
): Promise<MailboxRow> {
  const current = await getMailbox(deps.db, workspaceId, id);
  await assertPublicHosts(deps.config, { smtp: patch.smtp?.host, imap: patch.imap?.host });
  const next: MailboxRow = { ...current, updatedAt: now };
  if (patch.firstName !== undefined) next.firstName = patch.firstName;
  if (patch.lastName !== undefined) next.lastName = patch.lastName;
  if (patch.signatureHtml !== undefined) next.signatureHtml = patch.signatureHtml;
  if (patch.dailyLimit !== undefined) next.dailyLimit = patch.dailyLimit;
  let serversChanged = false;
  for (const side of ['smtp', 'imap'] as const) {
    const p = patch[side];
    if (!p) continue;
    const { password, ...settings } = p;
    const merged = {
      ...current[side],
      ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    };
    if (JSON.stringify(merged) !== JSON.stringify(current[side])) {
      next[side] = merged as ServerSettings;
      serversChanged = true;
    }
    if (password !== undefined) {
      if (side === 'smtp') next.smtpPassword = sealPassword(deps, password);
      else next.imapPassword = sealPassword(deps, password);
      serversChanged = true;
    }
  }
  if (serversChanged) {
    next.status = 'unverified';
    next.lastCheck = NO_CHECK;
  }
  const { id: _id, workspaceId: _ws, address: _a, createdAt: _c, ...set } = next;
  await deps.db.orm.batch([
    deps.db.orm
      .update(mailboxes)
      .set(set)
      .where(and(eq(mailboxes.id, id), eq(mailboxes.workspaceId, workspaceId))),
    eventInsert(
      deps.db.orm,
      {
        workspaceId,
        type: 'mailbox.updated',
        data: {
          mailboxId: id,
          fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined),
        },
      },
      now,
    ),
  ]);
  return next;
}

/** Deletes a mailbox that no campaign uses (409 naming the campaigns otherwise: detach it first). */
export async function deleteMailbox(db: Db, workspaceId: number, id: string, now: number): Promise<void> {
  const current = await getMailbox(db, workspaceId, id);
  const attached = await db.orm
    .select({ campaignId: campaignMailboxes.campaignId })
    .from(campaignMailboxes)
    .innerJoin(campaigns, eq(campaigns.id, campaignMailboxes.campaignId))
    .where(and(eq(campaignMailboxes.mailboxId, id), eq(campaigns.workspaceId, workspaceId)));
  if (attached.length > 0) {
    const ids = attached.map((a) => a.campaignId);
    throw new AppError(
      'conflict',
      `Mailbox ${current.address} is attached to campaign(s) ${ids.join(', ')}: detach it first`,
      {
        campaignIds: ids,
      },
    );
  }
  await db.orm.batch([
    db.orm.delete(mailboxes).where(and(eq(mailboxes.id, id), eq(mailboxes.workspaceId, workspaceId))),
    eventInsert(
      db.orm,
      { workspaceId, type: 'mailbox.deleted', data: { mailboxId: id, address: current.address } },
      now,
    ),
  ]);
}

/** Status after a check: verified when both logins worked. */
export function statusAfterCheck(check: LastCheck): MailboxStatus {
  return check.smtp?.ok && check.imap?.ok ? 'verified' : 'failing';
}

/** True when the stored check is recent and good enough to reuse. */
export function isFreshSuccess(check: LastCheck, now: number, maxAgeMs = MAILBOX_CHECK_MAX_AGE_MS): boolean {
  return !!(check.at !== null && now - check.at < maxAgeMs && check.smtp?.ok && check.imap?.ok);
}

/**
 * Logs in to SMTP and IMAP (in parallel, each bounded by `timeoutMs`) with the decrypted
 * passwords and stores the outcome in `lastCheck` and `status`. With `reuseFresh`, a successful
 * check younger than {@link MAILBOX_CHECK_MAX_AGE_MS} is returned without logging in again
 * (failures are always re-checked: the fix may have happened since).
 */
export async function checkMailbox(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  mailbox: MailboxRow,
  opts: { timeoutMs?: number; reuseFresh?: boolean } = {},
): Promise<MailboxRow> {
  const started = deps.clock.now();
  if (opts.reuseFresh && isFreshSuccess(mailbox.lastCheck, started)) return mailbox;
  const timeoutMs = opts.timeoutMs ?? MAILBOX_CHECK_TIMEOUT_MS;
  const attempt = async (side: 'smtp' | 'imap'): Promise<ConnectionCheck> => {
    let password: string;
    try {
      password = deps.secrets.decrypt(side === 'smtp' ? mailbox.smtpPassword : mailbox.imapPassword);
    } catch {
      return {
        ok: false,
        error:
          'the stored password cannot be decrypted with this server key (OUTREACH_SECRET_KEY changed?): set it again',
      };
    }
    const to = await mailboxConnectTarget(deps.config, mailbox[side]);
    if (!to.ok) return { ok: false, error: to.error };
    try {
      const r = await checker[side](to.target, password, timeoutMs);
      return r.ok ? { ok: true } : { ok: false, error: r.error ?? 'login failed' };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  const [smtp, imap] = await Promise.all([attempt('smtp'), attempt('imap')]);
  const now = deps.clock.now();
  const lastCheck: LastCheck = { smtp, imap, at: now };
  const status = statusAfterCheck(lastCheck);
  await deps.db.orm
    .update(mailboxes)
    .set({ lastCheck, status, updatedAt: now })
    .where(and(eq(mailboxes.id, mailbox.id), eq(mailboxes.workspaceId, mailbox.workspaceId)));
  deps.log?.[status === 'verified' ? 'info' : 'warn']('mailbox checked', {
    mailboxId: mailbox.id,
    address: mailbox.address,
    status,
    smtp: smtp.ok ? 'ok' : smtp.error,
    imap: imap.ok ? 'ok' : imap.error,
    ms: now - started,
  });
  return { ...mailbox, lastCheck, status, updatedAt: now };
}

/** `POST /mailboxes/{id}/verify`: a live check, always (no reuse). */
export async function verifyMailbox(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  id: string,
  opts: { timeoutMs?: number } = {},
): Promise<MailboxRow> {
  const mailbox = await getMailbox(deps.db, workspaceId, id);
  return checkMailbox(deps, checker, mailbox, { timeoutMs: opts.timeoutMs });
}

/** Mailboxes by id (of one workspace). */
export async function mailboxesByIds(
  db: Db,
  workspaceId: number,
  ids: readonly string[],
): Promise<MailboxRow[]> {
  if (ids.length === 0) return [];
  return db.orm
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.workspaceId, workspaceId), inArray(mailboxes.id, [...ids])));
}
