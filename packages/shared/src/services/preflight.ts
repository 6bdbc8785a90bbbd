/**
 * Preflight: what must hold before a campaign launches (blocking checks, the seed's five) and
 * what is worth knowing (ext warnings that do not block).
 *
 * `mailbox_auth` really logs in to every active attached mailbox (SMTP and IMAP, in parallel,
 * each bounded by a timeout) through the caller's {@link MailboxChecker}; a successful check
 * younger than 10 minutes is reused, a failed one is tried again. `mailboxes_healthy` (a warning,
 * preflight-health.ts) names attached mailboxes that are paused or failing.
 */

import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type ConnectionCheck, steps, type Variant } from '../db/schema/index';
import type { Deps } from '../deps';
import { validateSchedule } from '../domain/schedule';
import { TemplateError, type TemplateVariable, templateVariables } from '../domain/template';
import { type CampaignMailboxWithAddress, listAttached } from './campaign-mailboxes';
import { type CampaignRow, getCampaign } from './campaigns';
import { type InboxState, inboxStates, NEVER_READ } from './mailbox-inbox';
import { checkMailbox, type MailboxChecker, type MailboxRow, mailboxesByIds } from './mailboxes';
import { mailboxHealthCheck } from './preflight-health';

export const BLOCKING_CHECKS = [
  'has_steps',
  'has_contacts',
  'has_mailboxes',
  'mailbox_auth',
  'schedule_set',
] as const;
export const WARNING_CHECKS = [
  'variables_resolvable',
  'unsubscribe_link',
  'suppressed_contacts',
  'mailboxes_healthy',
] as const;
export type PreflightCheckName = (typeof BLOCKING_CHECKS)[number] | (typeof WARNING_CHECKS)[number];

export interface PreflightCheck {
  name: PreflightCheckName;
  passed: boolean;
  detail?: string;
  /** false for the ext warnings (they never block a launch). */
  blocking: boolean;
}

export interface PreflightResult {
  checks: PreflightCheck[];
  blockingFailures: PreflightCheckName[];
  summary: string;
}

export interface MailboxPreflightItem {
  campaignMailboxId: string;
  mailboxId: string;
  address: string;
  smtp: ConnectionCheck;
  imap: ConnectionCheck;
  dailyLimit: number;
  sentToday: number;
  state: 'active' | 'paused';
  checkedAt: number | null;
  /** the inbox loop's last read of this mailbox. */
  inbox: InboxState;
}

export interface PreflightOptions {
  timeoutMs?: number;
}

type StepRow = typeof steps.$inferSelect;

const DAY_MS = 86_400_000;
/** Variables the sending engine always fills. */
const ALWAYS_SET = new Set(['senderFirstName', 'senderEmail', 'unsubscribeUrl']);
const SENDER_VARS: Record<string, (m: MailboxRow) => string | null> = {
  senderLastName: (m) => m.lastName,
  senderSignature: (m) => m.signatureHtml,
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function mainSteps(db: Db, campaignId: string): Promise<StepRow[]> {
  return db.orm
    .select()
    .from(steps)
    .where(and(eq(steps.campaignId, campaignId), isNull(steps.subsequenceId)))
    .orderBy(asc(steps.order));
}

/** The templates a step can send: itself, or each variant with the step's fields as fallbacks. */
function stepTemplates(
  step: StepRow,
): { label: string; subject: string; bodyHtml: string; bodyText: string | null }[] {
  const base = { subject: step.subject, bodyHtml: step.bodyHtml, bodyText: step.bodyText };
  if (!step.variants || step.variants.length === 0) return [{ label: `step ${step.order}`, ...base }];
  return step.variants.map((v: Variant, i) => ({
    label: `step ${step.order} variant ${i + 1}`,
    subject: v.subject ?? base.subject,
    bodyHtml: v.bodyHtml ?? base.bodyHtml,
    bodyText: v.bodyText ?? base.bodyText,
  }));
}

/** A JSON path for a (possibly dotted) variable name inside custom_json. */
function jsonPath(name: string): string {
  return `$${name
    .split('.')
    .map((p) => `."${p.replace(/["\\]/g, '')}"`)
    .join('')}`;
}

/** SQL that is true when the contact has no usable value for `name` (as `templateVars` builds them). */
function blankSql(name: string): { sql: string; args: string[] } {
  const custom = `nullif(trim(CAST(json_extract(custom_json, ?) AS TEXT)), '')`;
  const column = { firstName: 'first_name', lastName: 'last_name', email: 'email' }[name];
  if (column)
    return { sql: `coalesce(nullif(trim(${column}), ''), ${custom}) IS NULL`, args: [jsonPath(name)] };
  return { sql: `${custom} IS NULL`, args: [jsonPath(name)] };
}

async function contactCounts(db: Db, campaignId: string): Promise<Record<string, number>> {
  const res = await db.client.execute({
    sql: 'SELECT status, count(*) AS n FROM contacts WHERE campaign_id = ? GROUP BY status',
    args: [campaignId],
  });
  const out: Record<string, number> = {};
  for (const r of res.rows) out[String(r.status)] = Number(r.n);
  return out;
}

async function variablesCheck(
  db: Db,
  campaignId: string,
  stepRows: StepRow[],
  senders: MailboxRow[],
): Promise<PreflightCheck> {
  const required = new Map<string, boolean>();
  const broken: string[] = [];
  for (const step of stepRows) {
    for (const t of stepTemplates(step)) {
      let vars: TemplateVariable[];
      try {
        vars = templateVariables(t);
      } catch (err) {
        broken.push(`${t.label}: ${err instanceof TemplateError ? err.detail : String(err)}`);
        continue;
      }
      for (const v of vars) if (!v.hasFallback) required.set(v.name, true);
    }
  }
  const problems: string[] = [...broken];
  const contactVars = [...required.keys()].filter((n) => !ALWAYS_SET.has(n) && !(n in SENDER_VARS));
  for (const [name, get] of Object.entries(SENDER_VARS)) {
    if (!required.has(name)) continue;
    const missing = senders.filter((m) => !get(m)?.trim()).map((m) => m.address);
    if (missing.length > 0) problems.push(`{{${name}}} is empty for mailbox ${missing.join(', ')}`);
  }
  if (contactVars.length > 0) {
    const parts = contactVars.map(blankSql);
    const res = await db.client.execute({
      sql: `SELECT ${parts.map((p, i) => `coalesce(sum(CASE WHEN ${p.sql} THEN 1 ELSE 0 END), 0) AS v${i}`).join(', ')}
            FROM contacts WHERE campaign_id = ? AND status IN ('pending', 'active')`,
      args: [...parts.flatMap((p) => p.args), campaignId],
    });
    const row = res.rows[0];
    contactVars.forEach((name, i) => {
      const n = Number(row?.[`v${i}`] ?? 0);
      if (n > 0)
        problems.push(
          `{{${name}}} is empty for ${plural(n, 'contact')} and has no fallback (write {{${name}|…}})`,
        );
    });
  }
  return {
    name: 'variables_resolvable',
    passed: problems.length === 0,
    blocking: false,
    ...(problems.length ? { detail: problems.join('; ') } : {}),
  };
}

function unsubscribeCheck(stepRows: StepRow[]): PreflightCheck {
  const without: string[] = [];
  for (const step of stepRows) {
    for (const t of stepTemplates(step)) {
      let names: string[] = [];
      try {
        names = templateVariables(t).map((v) => v.name);
      } catch {
        // reported by variables_resolvable
      }
      if (!names.includes('unsubscribeUrl')) without.push(t.label);
    }
  }
  return {
    name: 'unsubscribe_link',
    passed: without.length === 0,
    blocking: false,
    ...(without.length
      ? {
          detail: `no {{unsubscribeUrl}} in ${without.join(', ')} (the List-Unsubscribe header is still sent)`,
        }
      : {}),
  };
}

/** Live (or recent) logins of the given campaign mailboxes. */
async function mailboxChecks(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  attached: CampaignMailboxWithAddress[],
  opts: PreflightOptions,
): Promise<Map<string, MailboxRow>> {
  const rows = await mailboxesByIds(
    deps.db,
    workspaceId,
    attached.map((a) => a.mailboxId),
  );
  const checked = await Promise.all(
    rows.map((m) => checkMailbox(deps, checker, m, { reuseFresh: true, timeoutMs: opts.timeoutMs })),
  );
  return new Map(checked.map((m) => [m.id, m]));
}

function summaryOf(checks: PreflightCheck[]): string {
  const blocking = checks.filter((c) => c.blocking && !c.passed);
  const warnings = checks.filter((c) => !c.blocking && !c.passed);
  if (blocking.length > 0) {
    return `${plural(blocking.length, 'blocking failure')}: ${blocking.map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)).join('; ')}. Fix them before launching.`;
  }
  if (warnings.length > 0) {
    return `Ready to launch with ${warnings.length} warning(s): ${warnings.map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)).join('; ')}.`;
  }
  return 'All checks passed. Ready to launch.';
}

/** The preflight of a campaign the caller already holds. */
export async function preflightCampaign(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  campaign: CampaignRow,
  opts: PreflightOptions = {},
): Promise<PreflightResult> {
  const { db } = deps;
  const [stepRows, counts, attached] = await Promise.all([
    mainSteps(db, campaign.id),
    contactCounts(db, campaign.id),
    listAttached(db, campaign.id),
  ]);
  const active = attached.filter((a) => a.state === 'active');
  const mailboxes = await mailboxChecks(deps, checker, campaign.workspaceId, active, opts);

  const checks: PreflightCheck[] = [];
  checks.push({
    name: 'has_steps',
    passed: stepRows.length > 0,
    blocking: true,
    ...(stepRows.length
      ? {}
      : { detail: 'the campaign has no steps: add one with POST /campaigns/{id}/steps' }),
  });
  const pending = counts.pending ?? 0;
  const enrolled = counts.active ?? 0;
  checks.push({
    name: 'has_contacts',
    passed: pending + enrolled > 0,
    blocking: true,
    ...(pending + enrolled > 0
      ? {}
      : {
          detail: 'no pending or active contacts: import contacts with POST /campaigns/{id}/contacts/import',
        }),
  });
  checks.push({
    name: 'has_mailboxes',
    passed: active.length > 0,
    blocking: true,
    ...(active.length
      ? {}
      : {
          detail:
            attached.length > 0
              ? `every attached mailbox is paused (${attached.map((a) => a.mailboxAddress).join(', ')})`
              : 'no mailbox is attached: POST /campaigns/{id}/mailboxes',
        }),
  });
  const authFailures: string[] = [];
  for (const a of active) {
    const m = mailboxes.get(a.mailboxId);
    const c = m?.lastCheck;
    const reasons: string[] = [];
    if (!c?.smtp?.ok) reasons.push(`SMTP ${c?.smtp?.error ?? 'not checked'}`);
    if (!c?.imap?.ok) reasons.push(`IMAP ${c?.imap?.error ?? 'not checked'}`);
    if (reasons.length) authFailures.push(`${a.mailboxAddress}: ${reasons.join('; ')}`);
  }
  checks.push({
    name: 'mailbox_auth',
    passed: active.length > 0 && authFailures.length === 0,
    blocking: true,
    ...(active.length === 0
      ? { detail: 'no active mailbox to log in to' }
      : authFailures.length
        ? { detail: authFailures.join(' | ') }
        : {}),
  });
  const scheduleIssues = campaign.schedule ? validateSchedule(campaign.schedule) : [];
  checks.push({
    name: 'schedule_set',
    passed: !!campaign.schedule && scheduleIssues.length === 0,
    blocking: true,
    ...(!campaign.schedule
      ? { detail: 'no sending schedule: PUT /campaigns/{id}/schedule' }
      : scheduleIssues.length
        ? { detail: scheduleIssues.map((i) => `${i.path}: ${i.message}`).join('; ') }
        : {}),
  });

  checks.push(
    await variablesCheck(
      db,
      campaign.id,
      stepRows,
      active.map((a) => mailboxes.get(a.mailboxId)).filter((m): m is MailboxRow => !!m),
    ),
  );
  checks.push(unsubscribeCheck(stepRows));
  const suppressed = counts.suppressed ?? 0;
  checks.push({
    name: 'suppressed_contacts',
    passed: suppressed === 0,
    blocking: false,
    ...(suppressed
      ? { detail: `${plural(suppressed, 'contact')} suppressed: they will not be sent to` }
      : {}),
  });
  checks.push(await mailboxHealthCheck(db, campaign.workspaceId, attached, mailboxes));

  return {
    checks,
    blockingFailures: checks.filter((c) => c.blocking && !c.passed).map((c) => c.name),
    summary: summaryOf(checks),
  };
}

/** `GET /campaigns/{id}/preflight`. */
export async function runPreflight(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  campaignId: string,
  opts: PreflightOptions = {},
): Promise<PreflightResult> {
  const campaign = await getCampaign(deps.db, workspaceId, campaignId);
  return preflightCampaign(deps, checker, campaign, opts);
}

/** `GET /campaigns/{id}/mailbox-preflight`: one item per attached mailbox, paused ones included. */
export async function mailboxPreflight(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  campaignId: string,
  opts: PreflightOptions = {},
): Promise<MailboxPreflightItem[]> {
  await getCampaign(deps.db, workspaceId, campaignId);
  const attached = await listAttached(deps.db, campaignId);
  if (attached.length === 0) return [];
  const mailboxes = await mailboxChecks(deps, checker, workspaceId, attached, opts);
  const since = deps.clock.now() - DAY_MS;
  const inbox = await inboxStates(
    deps.db,
    attached.map((a) => a.mailboxId),
  );
  // Counted as the sending engine counts them: rows of the last 24 h that were not canceled/skipped.
  const res = await deps.db.client.batch(
    attached.map((a) => ({
      sql: `SELECT count(*) AS n FROM sends WHERE campaign_mailbox_id = ? AND scheduled_at > ? AND status NOT IN ('canceled', 'skipped')`,
      args: [a.id, since],
    })),
    'read',
  );
  return attached.map((a, i) => {
    const m = mailboxes.get(a.mailboxId);
    const check = m?.lastCheck;
    return {
      campaignMailboxId: a.id,
      mailboxId: a.mailboxId,
      address: a.mailboxAddress,
      smtp: check?.smtp ?? { ok: false, error: 'not checked' },
      imap: check?.imap ?? { ok: false, error: 'not checked' },
      dailyLimit: a.dailyLimit,
      sentToday: Number(res[i]?.rows[0]?.n ?? 0),
      state: a.state,
      checkedAt: check?.at ?? null,
      inbox: inbox.get(a.mailboxId) ?? NEVER_READ,
    };
  });
}
