/**
 * The dispatch executor: the I/O around the pure planner (DESIGN.md "The sending engine").
 *
 * One tick:
 * 1. settle sends left `sending` by a dead worker (lease expired): `failed`, error `interrupted`,
 *    never resent; the contact moves on to its next step.
 * 2. load the state the planner needs (active campaigns inside a window, their campaign
 *    mailboxes with 24 h counts, due contacts per sticky sender) — reads follow the due work.
 * 3. `plan(state, now, rng)`.
 * 4. per reservation: compare-and-set on `next_available_at`, then in one write batch the send
 *    rows (`scheduled`, with our Message-ID; the 24 h limits re-checked inside the statement so two
 *    workers can never exceed them), the rotation counter and the contacts (sticky sender, held).
 * 5. hand the reserved sends to this worker's per-mailbox queues (`Deliveries`): serial per
 *    mailbox over one pooled connection, parallel across mailboxes (bounded). A queue claims up to
 *    `chunkSize` sends `scheduled → sending` in one statement (fenced: still reserved by us,
 *    contact and campaign still active), sends them, and records every outcome in one batch
 *    fenced by the claim's lease. The loop does not wait for the queues (a tick costs what its
 *    planning and reservations cost); tests and simulations do (`awaitDelivery`).
 * 6. contacts with no step left → completed; campaigns with nobody left → completed.
 *
 * Exactly once: unique (contact, step) on `sends`; a row is handed to SMTP only by the worker
 * whose claim moved it to `sending`; a `sending` row whose lease ran out is never claimed again
 * (settled `interrupted`). A worker killed mid-chunk may so leave up to `chunkSize` sends of a
 * mailbox interrupted, some of them never attempted: they count as failed, never as sent twice.
 */
import { randomUUID } from 'node:crypto';
import {
  backoffMs,
  type Deps,
  emailDomain,
  isSendable,
  newId,
  renderStep,
  type Schedule,
  templateVars,
  unsubscribeTargets,
} from '@outreach/shared';
import type { Priority, Variant } from '@outreach/shared/db/schema/campaigns';
import { type MailTransport, type OutgoingMail, type SendOutcome, smtpMailTransport } from '../adapters/smtp';
import { countedTransport } from '../metrics';
import {
  type Decisions,
  nextStepFor,
  type PlanCampaign,
  type PlanCampaignMailbox,
  type PlanContact,
  type PlanMailbox,
  type PlanState,
  type PlanStep,
  plan,
  type Reservation,
} from './plan';
import { completeCampaign, contactStatusStatements, contactsStatusStatements } from './status';

const DAY_MS = 86_400_000;

export interface DispatchOptions {
  /** slots per campaign mailbox per tick when its gap and jitter are 0. */
  maxBatch?: number;
  /** how long a claimed `sending` row is held before another worker settles it as interrupted. */
  sendLeaseMs?: number;
  /** how long reserved contacts are held out of the due set while their sends wait. */
  holdMs?: number;
  /** tries per send (first + retries) before it is `failed`. */
  maxAttempts?: number;
  /** backoff of SMTP retries: base and cap, ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** most mailboxes sending at once (per worker). */
  maxParallelMailboxes?: number;
  /**
   * sends of one mailbox claimed together and recorded in one write (fewer commits); a worker
   * killed mid-chunk leaves at most this many sends `interrupted`.
   */
  chunkSize?: number;
  /** wait for the reserved sends to be delivered before the tick returns (tests); the loop does not. */
  awaitDelivery?: boolean;
  /** the sender of a mailbox; default: a pooled nodemailer transport per mailbox. */
  transports?: TransportPool;
}

export interface TransportPool {
  get(mailbox: MailboxRow, password: () => string): MailTransport;
  closeAll(): void;
}

export interface TickReport {
  interrupted: number;
  reserved: number;
  sent: number;
  retried: number;
  failed: number;
  bounced: number;
  skipped: number;
  completedContacts: number;
  completedCampaigns: string[];
}

export interface MailboxRow {
  id: string;
  address: string;
  firstName: string;
  lastName: string | null;
  signatureHtml: string | null;
  smtp: { host: string; port: number; secure: boolean; username: string };
  smtpPassword: string;
  updatedAt: number;
}

interface StepRow extends PlanStep {
  campaignId: string;
  subject: string;
  bodyHtml: string;
  bodyText: string | null;
  fullVariants: Variant[];
}

interface CampaignInfo extends PlanCampaign {
  steps: StepRow[];
}

interface DueContact extends PlanContact {
  email: string;
  firstName: string | null;
  lastName: string | null;
  customJson: Record<string, unknown>;
}

interface LoadedState {
  plan: PlanState;
  campaigns: Map<string, CampaignInfo>;
  contacts: Map<string, DueContact>;
  activeCampaignIds: string[];
}

/** A reserved send, ready to be claimed and delivered. */
interface ReservedSend {
  sendId: string;
  token: string;
  reservation: Reservation;
  mailbox: MailboxRow;
  /** the campaign's steps (for the next step's delay). */
  steps: PlanStep[];
  /** Message-IDs of the contact's earlier messages, oldest first. */
  earlier: string[];
  contact: DueContact;
  step: StepRow;
  variantId: string | null;
  messageId: string;
}

const num = (v: unknown) => Number(v);
const str = (v: unknown) => (v == null ? null : String(v));
const json = <T>(v: unknown, fallback: T): T => {
  if (v == null) return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};

/** Pooled nodemailer transports, one per mailbox, renewed when the mailbox's settings change. */
export function smtpTransportPool(): TransportPool {
  const cache = new Map<string, { version: number; transport: MailTransport }>();
  return {
    get(mailbox, password) {
      const hit = cache.get(mailbox.id);
      if (hit && hit.version === mailbox.updatedAt) return hit.transport;
      hit?.transport.close();
      // counted per mailbox id for /metrics
      const transport = countedTransport(
        mailbox.id,
        smtpMailTransport({ ...mailbox.smtp, password: password() }),
      );
      cache.set(mailbox.id, { version: mailbox.updatedAt, transport });
      return transport;
    },
    closeAll() {
      for (const { transport } of cache.values()) transport.close();
      cache.clear();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// 1. interrupted sends

/** Sends left `sending` past their lease: `failed` with error `interrupted`; the contact moves on. */
export async function settleInterrupted(deps: Deps, now: number): Promise<number> {
  const res = await deps.db.client.execute({
    sql: `UPDATE sends SET status = 'failed', error = 'interrupted', lease_id = NULL, lease_until = NULL, updated_at = ?
          WHERE status = 'sending' AND lease_until < ?
          RETURNING id, workspace_id, campaign_id, contact_id, step_id, to_email`,
    args: [now, now],
  });
  for (const r of res.rows) {
    const stepRes = await deps.db.client.execute({
      sql: 'SELECT campaign_id, subsequence_id, position FROM steps WHERE id = ?',
      args: [String(r.step_id)],
    });
    const step = stepRes.rows[0];
    const stmts: { sql: string; args: (string | number | null)[] }[] = [
      eventSql(num(r.workspace_id), 'send.failed', str(r.campaign_id), str(r.contact_id), now, {
        sendId: str(r.id),
        stepId: str(r.step_id),
        email: str(r.to_email),
        error: 'interrupted',
      }),
    ];
    if (step) {
      // Never resent: the contact goes on as if the step had been sent, from its lease's end.
      const next = await nextDelayAfter(
        deps,
        String(step.campaign_id),
        str(step.subsequence_id),
        num(step.position),
      );
      stmts.push({
        sql: `UPDATE contacts SET current_step = MAX(current_step, ?), next_send_at = ?, updated_at = ?
              WHERE id = ? AND status = 'active'`,
        args: [num(step.position), now + (next ?? 0), now, String(r.contact_id)],
      });
    }
    await deps.db.client.batch(stmts, 'write');
  }
  return res.rows.length;
}

async function nextDelayAfter(deps: Deps, campaignId: string, subsequenceId: string | null, order: number) {
  const res = await deps.db.client.execute({
    sql: `SELECT delay_seconds FROM steps WHERE campaign_id = ? AND subsequence_id IS ? AND position > ?
          ORDER BY position LIMIT 1`,
    args: [campaignId, subsequenceId, order],
  });
  const row = res.rows[0];
  return row ? num(row.delay_seconds) * 1000 : null;
}

// ------------------------------------------------------------------------------------------------
// 2. state

export async function loadState(
  deps: Deps,
  now: number,
  maxBatch: number,
  busy: (mailboxId: string) => boolean = () => false,
): Promise<LoadedState> {
  const db = deps.db.client;
  const campRes = await db.execute(
    "SELECT id, workspace_id, priority, schedule FROM campaigns WHERE status = 'active' ORDER BY id",
  );
  const activeCampaignIds = campRes.rows.map((r) => String(r.id));
  const inWindow = campRes.rows
    .map((r) => ({
      id: String(r.id),
      workspaceId: num(r.workspace_id),
      priority: String(r.priority) as Priority,
      schedule: json<Schedule | null>(r.schedule, null),
    }))
    .filter((c) => c.schedule && safeSendable(c.schedule, now));
  const empty: LoadedState = {
    plan: { campaigns: [], campaignMailboxes: [], mailboxes: [], dueContacts: [] },
    campaigns: new Map(),
    contacts: new Map(),
    activeCampaignIds,
  };
  if (inWindow.length === 0) return empty;

  const ids = JSON.stringify(inWindow.map((c) => c.id));
  const [stepRes, cmbRes] = await db.batch(
    [
      {
        sql: `SELECT id, campaign_id, subsequence_id, position, subject, body_html, body_text, delay_seconds, variants
              FROM steps WHERE campaign_id IN (SELECT value FROM json_each(?))`,
        args: [ids],
      },
      {
        sql: `SELECT cm.id, cm.campaign_id, cm.mailbox_id, cm.weight, cm.state, cm.daily_limit, cm.gap_base_seconds,
                     cm.gap_jitter_seconds, cm.next_available_at, cm.assigned_contacts,
                     m.status AS m_status, m.daily_limit AS m_daily_limit
              FROM campaign_mailboxes cm JOIN mailboxes m ON m.id = cm.mailbox_id
              WHERE cm.campaign_id IN (SELECT value FROM json_each(?))`,
        args: [ids],
      },
    ],
    'read',
  );

  const campaigns = new Map<string, CampaignInfo>(
    inWindow.map((c) => [c.id, { ...c, steps: [] as StepRow[] }]),
  );
  for (const r of stepRes!.rows) {
    const fullVariants = json<Variant[]>(r.variants, []);
    campaigns.get(String(r.campaign_id))?.steps.push({
      id: String(r.id),
      campaignId: String(r.campaign_id),
      subsequenceId: str(r.subsequence_id),
      order: num(r.position),
      delaySeconds: num(r.delay_seconds),
      subject: String(r.subject),
      bodyHtml: String(r.body_html),
      bodyText: str(r.body_text),
      variants: fullVariants.map((v) => ({ id: v.id, weight: v.weight })),
      fullVariants,
    });
  }

  const since = now - DAY_MS;
  const cmbs: PlanCampaignMailbox[] = [];
  const mailboxes = new Map<string, PlanMailbox>();
  for (const r of cmbRes!.rows) {
    cmbs.push({
      id: String(r.id),
      campaignId: String(r.campaign_id),
      mailboxId: String(r.mailbox_id),
      weight: num(r.weight),
      state: String(r.state) as 'active' | 'paused',
      dailyLimit: num(r.daily_limit),
      gapBaseSeconds: num(r.gap_base_seconds),
      gapJitterSeconds: num(r.gap_jitter_seconds),
      nextAvailableAt: num(r.next_available_at),
      assignedContacts: num(r.assigned_contacts),
      sent24h: 0,
    });
    mailboxes.set(String(r.mailbox_id), {
      id: String(r.mailbox_id),
      status: String(r.m_status) as PlanMailbox['status'],
      dailyLimit: num(r.m_daily_limit),
      sent24h: 0,
    });
  }
  const usable = cmbs.filter(
    (c) => c.state === 'active' && mailboxes.get(c.mailboxId)?.status === 'verified',
  );
  // Only the campaign mailboxes that may send now need counts and contacts.
  // (a mailbox whose queue in this worker is still sending is left for the next tick)
  const ready = usable.filter((c) => c.nextAvailableAt <= now && !busy(c.mailboxId));
  if (ready.length === 0) {
    return { ...empty, campaigns, plan: { ...empty.plan, campaigns: [...campaigns.values()] } };
  }
  // Mailboxes shared by several campaigns: the due demand per campaign mailbox, for priority.
  const campaignsOf = new Map<string, Set<string>>();
  for (const c of usable)
    campaignsOf.set(c.mailboxId, (campaignsOf.get(c.mailboxId) ?? new Set()).add(c.campaignId));
  const contested = usable.filter((c) => (campaignsOf.get(c.mailboxId)?.size ?? 0) > 1);
  const contestedCampaigns = [...new Set(contested.map((c) => c.campaignId))];
  const readyMailboxes = [...new Set(ready.map((c) => c.mailboxId))];
  const capacity = (c: PlanCampaignMailbox) =>
    c.gapBaseSeconds === 0 && c.gapJitterSeconds === 0 ? maxBatch : 1;
  const newLimit = new Map<string, number>();
  for (const c of ready) newLimit.set(c.campaignId, (newLimit.get(c.campaignId) ?? 0) + capacity(c));

  const countSql = (col: 'campaign_mailbox_id' | 'mailbox_id') =>
    `SELECT count(*) AS n FROM sends WHERE ${col} = ? AND scheduled_at > ? AND status NOT IN ('canceled', 'skipped')`;
  const dueCols = `id, campaign_id, mailbox_id, current_step, subsequence_id, next_send_at, email, first_name, last_name, custom_json`;
  const stmts = [
    ...ready.map((c) => ({ sql: countSql('campaign_mailbox_id'), args: [c.id, since] })),
    ...readyMailboxes.map((m) => ({ sql: countSql('mailbox_id'), args: [m, since] })),
    ...ready.map((c) => ({
      sql: `SELECT ${dueCols} FROM contacts
            WHERE campaign_id = ? AND mailbox_id = ? AND status = 'active' AND next_send_at <= ?
            ORDER BY next_send_at LIMIT ?`,
      args: [c.campaignId, c.mailboxId, now, capacity(c)],
    })),
    ...[...newLimit].map(([campaignId, limit]) => ({
      sql: `SELECT ${dueCols} FROM contacts
            WHERE campaign_id = ? AND mailbox_id IS NULL AND status = 'active' AND next_send_at <= ?
            ORDER BY next_send_at LIMIT ?`,
      args: [campaignId, now, limit],
    })),
  ];
  const capped = (where: string) =>
    `SELECT count(*) AS n FROM (SELECT 1 FROM contacts WHERE campaign_id = ? AND ${where} AND status = 'active' AND next_send_at <= ? LIMIT ?)`;
  const demandStart = stmts.length;
  for (const c of contested) {
    stmts.push({
      sql: capped('mailbox_id = ?'),
      args: [c.campaignId, c.mailboxId, now, mailboxes.get(c.mailboxId)!.dailyLimit],
    });
  }
  for (const id of contestedCampaigns)
    stmts.push({ sql: capped('mailbox_id IS NULL'), args: [id, now, 5000] });
  const results = await db.batch(stmts, 'read');
  const demand = { sticky: new Map<string, number>(), fresh: new Map<string, number>() };
  for (const [k, c] of contested.entries())
    demand.sticky.set(c.id, num(results[demandStart + k]!.rows[0]!.n));
  for (const [k, id] of contestedCampaigns.entries()) {
    demand.fresh.set(id, num(results[demandStart + contested.length + k]!.rows[0]!.n));
  }
  results.length = demandStart;
  let i = 0;
  for (const c of ready) c.sent24h = num(results[i++]!.rows[0]!.n);
  for (const m of readyMailboxes) mailboxes.get(m)!.sent24h = num(results[i++]!.rows[0]!.n);
  const contacts = new Map<string, DueContact>();
  for (; i < results.length; i++) {
    for (const r of results[i]!.rows) {
      contacts.set(String(r.id), {
        id: String(r.id),
        campaignId: String(r.campaign_id),
        mailboxId: str(r.mailbox_id),
        currentStep: num(r.current_step),
        subsequenceId: str(r.subsequence_id),
        nextSendAt: num(r.next_send_at),
        email: String(r.email),
        firstName: str(r.first_name),
        lastName: str(r.last_name),
        customJson: json<Record<string, unknown>>(r.custom_json, {}),
      });
    }
  }
  return {
    plan: {
      campaigns: [...campaigns.values()],
      campaignMailboxes: cmbs,
      mailboxes: [...mailboxes.values()],
      dueContacts: [...contacts.values()],
      demand,
    },
    campaigns,
    contacts,
    activeCampaignIds,
  };
}

function safeSendable(schedule: Schedule, now: number): boolean {
  try {
    return isSendable(schedule, now);
  } catch {
    return false; // an invalid stored schedule never sends
  }
}

// ------------------------------------------------------------------------------------------------
// 4. reservation

async function reserve(
  deps: Deps,
  loaded: LoadedState,
  mailbox: MailboxRow,
  r: Reservation,
  now: number,
  holdMs: number,
): Promise<ReservedSend[]> {
  const db = deps.db.client;
  const cas = await db.execute({
    sql: `UPDATE campaign_mailboxes SET next_available_at = ?
          WHERE id = ? AND next_available_at = ? AND state = 'active' RETURNING id`,
    args: [r.nextAvailableAt, r.campaignMailboxId, r.expectedNextAvailableAt],
  });
  if (cas.rows.length === 0) return []; // another worker took this slot

  const token = randomUUID();
  const domain = emailDomain(mailbox.address) || 'outreach.invalid';
  const rows = r.sends.map((s) => {
    const id = newId('send', now);
    return [id, s.contactId, s.stepId, s.variantId, `<${id}@${domain}>`, s.stepOrder];
  });
  const since = now - DAY_MS;
  const newIds = r.sends.filter((s) => s.isNew).map((s) => s.contactId);
  const allIds = r.sends.map((s) => s.contactId);
  const [inserted] = await db.batch(
    [
      {
        // The limits are checked again inside the write: the counts the planner saw may be stale.
        sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id,
                campaign_mailbox_id, to_email, status, attempts, scheduled_at, message_id, lease_id, lease_until,
                created_at, updated_at)
              SELECT j.value->>0, ?, ?, c.id, j.value->>2, j.value->>3, ?, ?, c.email, 'scheduled', 0, ?, j.value->>4,
                     ?, ?, ?, ?
              FROM json_each(?) j JOIN contacts c ON c.id = j.value->>1
              WHERE c.status = 'active' AND c.next_send_at <= ? AND c.current_step < j.value->>5
                AND (c.mailbox_id IS NULL OR c.mailbox_id = ?)
                AND j.key < MIN(
                  ? - (SELECT count(*) FROM sends WHERE campaign_mailbox_id = ? AND scheduled_at > ?
                        AND status NOT IN ('canceled', 'skipped')),
                  ? - (SELECT count(*) FROM sends WHERE mailbox_id = ? AND scheduled_at > ?
                        AND status NOT IN ('canceled', 'skipped')))
              ON CONFLICT (contact_id, step_id) DO UPDATE SET
                scheduled_at = excluded.scheduled_at, lease_id = excluded.lease_id,
                lease_until = excluded.lease_until, updated_at = excluded.updated_at
              WHERE sends.status = 'scheduled' AND sends.mailbox_id = excluded.mailbox_id
              RETURNING id, contact_id, message_id`,
        args: [
          r.workspaceId,
          r.campaignId,
          r.mailboxId,
          r.campaignMailboxId,
          now,
          token,
          now + holdMs,
          now,
          now,
          JSON.stringify(rows),
          now,
          r.mailboxId,
          r.cmbDailyLimit,
          r.campaignMailboxId,
          since,
          r.mailboxDailyLimit,
          r.mailboxId,
          since,
        ],
      },
      {
        sql: `UPDATE campaign_mailboxes SET assigned_contacts = assigned_contacts + (
                SELECT count(*) FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?)) AND c.mailbox_id IS NULL
                  AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = c.id AND s.lease_id = ?))
              WHERE id = ?`,
        args: [JSON.stringify(newIds), token, r.campaignMailboxId],
      },
      {
        sql: `UPDATE contacts SET mailbox_id = COALESCE(mailbox_id, ?), next_send_at = ?, updated_at = ?
              WHERE id IN (SELECT value FROM json_each(?))
                AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = contacts.id AND s.lease_id = ?)`,
        args: [r.mailboxId, now + holdMs, now, JSON.stringify(allIds), token],
      },
      {
        // A step whose row already ended (e.g. canceled before the contact was reactivated) is
        // never sent again: the contact moves past it instead of holding the slot every tick.
        sql: `UPDATE contacts SET current_step = MAX(contacts.current_step, j.value->>5), updated_at = ?
              FROM json_each(?) j
              WHERE contacts.id = j.value->>1 AND contacts.status = 'active'
                AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = contacts.id AND s.step_id = j.value->>2
                  AND s.status IN ('sent', 'failed', 'bounced', 'canceled', 'skipped', 'replied'))`,
        args: [now, JSON.stringify(rows)],
      },
    ],
    'write',
  );
  const campaign = loaded.campaigns.get(r.campaignId)!;
  const out: ReservedSend[] = [];
  for (const row of inserted!.rows) {
    const planned = r.sends.find((s) => s.contactId === row.contact_id);
    const contact = loaded.contacts.get(String(row.contact_id));
    const step = campaign.steps.find((s) => s.id === planned?.stepId);
    if (!planned || !contact || !step) continue;
    out.push({
      sendId: String(row.id),
      token,
      reservation: r,
      mailbox,
      steps: campaign.steps,
      earlier: [],
      contact,
      step,
      variantId: planned.variantId,
      messageId: String(row.message_id),
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// 5. delivery

async function loadMailboxes(deps: Deps, ids: string[]): Promise<Map<string, MailboxRow>> {
  const res = await deps.db.client.execute({
    sql: `SELECT id, address, first_name, last_name, signature_html, smtp, smtp_password, updated_at
          FROM mailboxes WHERE id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(ids)],
  });
  return new Map(
    res.rows.map((r) => [
      String(r.id),
      {
        id: String(r.id),
        address: String(r.address),
        firstName: String(r.first_name),
        lastName: str(r.last_name),
        signatureHtml: str(r.signature_html),
        smtp: json(r.smtp, { host: '', port: 0, secure: false, username: '' }),
        smtpPassword: String(r.smtp_password),
        updatedAt: num(r.updated_at),
      },
    ]),
  );
}

/** Message-IDs of each contact's earlier sent messages, oldest first (for In-Reply-To/References). */
async function loadThreads(deps: Deps, contactIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (contactIds.length === 0) return out;
  const res = await deps.db.client.execute({
    sql: `SELECT contact_id, message_id FROM sends
          WHERE contact_id IN (SELECT value FROM json_each(?)) AND status IN ('sent', 'replied')
          ORDER BY sent_at, id`,
    args: [JSON.stringify(contactIds)],
  });
  for (const r of res.rows) {
    const list = out.get(String(r.contact_id)) ?? [];
    list.push(String(r.message_id));
    out.set(String(r.contact_id), list);
  }
  return out;
}

export function buildMail(
  deps: Deps,
  s: Pick<ReservedSend, 'sendId' | 'contact' | 'step' | 'variantId' | 'messageId'>,
  mailbox: MailboxRow,
  earlier: string[],
): OutgoingMail {
  const variant = s.variantId ? s.step.fullVariants.find((v) => v.id === s.variantId) : undefined;
  const unsub = unsubscribeTargets(deps.config.publicUrl, deps.secrets, s.sendId, mailbox.address);
  const vars = templateVars(
    {
      email: s.contact.email,
      firstName: s.contact.firstName,
      lastName: s.contact.lastName,
      customJson: s.contact.customJson,
    },
    {
      firstName: mailbox.firstName,
      lastName: mailbox.lastName,
      email: mailbox.address,
      signatureHtml: mailbox.signatureHtml,
    },
    { unsubscribeUrl: unsub.url },
  );
  const rendered = renderStep(
    {
      subject: variant?.subject ?? s.step.subject,
      bodyHtml: variant?.bodyHtml ?? s.step.bodyHtml,
      bodyText: variant ? (variant.bodyText ?? (variant.bodyHtml ? null : s.step.bodyText)) : s.step.bodyText,
    },
    vars,
  );
  const mail: OutgoingMail = {
    from: { name: [mailbox.firstName, mailbox.lastName].filter(Boolean).join(' '), address: mailbox.address },
    to: s.contact.email,
    subject: rendered.subject,
    html: rendered.bodyHtml,
    text: rendered.bodyText,
    messageId: s.messageId,
    headers: {
      'X-Outreach-Send-Id': s.sendId,
      'List-Unsubscribe': unsub.header,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
  if (earlier.length > 0) {
    mail.inReplyTo = earlier[earlier.length - 1]!;
    mail.references = earlier;
  }
  return mail;
}

type Stmt = { sql: string; args: (string | number | null)[] };

function eventSql(
  workspaceId: number,
  type: string,
  campaignId: string | null,
  contactId: string | null,
  now: number,
  data: Record<string, unknown>,
  condition?: Stmt,
): Stmt {
  const body = JSON.stringify({ ...(campaignId ? { campaignId } : {}), ...data });
  const base = `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
                SELECT ?, ?, ?, ?, ?, ?, ?`;
  const args = [newId('event', now), workspaceId, type, campaignId, contactId, body, now];
  if (!condition) return { sql: base, args };
  return { sql: `${base} WHERE EXISTS (${condition.sql})`, args: [...args, ...condition.args] };
}

type Outcome = 'sent' | 'bounced' | 'retried' | 'failed';

/**
 * The writes recording one SMTP outcome, fenced by the claim's lease; the first statement
 * returns the send's id when the fence held. Sent: the contact advances (next step's delay from
 * now, or completed) and `send.sent` is written. 5xx: send and contact bounced, `contact.bounced`.
 * Temporary: back to `scheduled` with the contact pushed by backoff, or after the last attempt
 * `failed` with `send.failed` and the contact failed.
 */
function outcomeStatements(
  deps: Deps,
  opts: ResolvedOptions,
  s: ReservedSend,
  lease: string,
  attempts: number,
  outcome: SendOutcome,
  now: number,
): { kind: Outcome; stmts: Stmt[] } {
  const r = s.reservation;
  const who = { workspaceId: r.workspaceId, campaignId: r.campaignId, contactId: s.contact.id };
  if (outcome.ok) {
    const next = nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
    const nextAt = next ? now + next.delaySeconds * 1000 : now;
    const sent: Stmt = {
      sql: `SELECT 1 FROM sends WHERE id = ? AND lease_id = ? AND status = 'sent'`,
      args: [s.sendId, lease],
    };
    return {
      kind: 'sent',
      stmts: [
        {
          sql: `UPDATE sends SET status = 'sent', sent_at = ?, error = NULL, updated_at = ?
                WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
          args: [now, now, s.sendId, lease],
        },
        {
          sql: `UPDATE contacts SET current_step = MAX(current_step, ?), last_sent_at = ?,
                  next_send_at = CASE WHEN status = 'active' THEN ? ELSE next_send_at END, updated_at = ?
                WHERE id = ? AND EXISTS (${sent.sql})`,
          args: [s.step.order, now, nextAt, now, s.contact.id, ...sent.args],
        },
        eventSql(
          r.workspaceId,
          'send.sent',
          r.campaignId,
          s.contact.id,
          now,
          {
            sendId: s.sendId,
            stepId: s.step.id,
            variantId: s.variantId,
            mailboxId: r.mailboxId,
            contactId: s.contact.id,
            email: s.contact.email,
            messageId: s.messageId,
          },
          sent,
        ),
        // The last step: the contact is completed (true whether or not our lease held).
        ...(next ? [] : completionStatements(who, s.contact.email, now)),
      ],
    };
  }
  if (outcome.permanent) {
    const data = { sendId: s.sendId, stepId: s.step.id, error: outcome.error };
    return {
      kind: 'bounced',
      stmts: [
        {
          sql: `UPDATE sends SET status = 'bounced', error = ?, updated_at = ?
                WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
          args: [outcome.error, now, s.sendId, lease],
        },
        eventSql(
          r.workspaceId,
          'contact.bounced',
          r.campaignId,
          s.contact.id,
          now,
          { ...data, contactId: s.contact.id, email: s.contact.email },
          { sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'`, args: [s.contact.id] },
        ),
        ...contactStatusStatements(who, 'bounced', 'smtp_rejected', now, data),
      ],
    };
  }
  if (attempts < opts.maxAttempts) {
    const retryAt =
      now +
      backoffMs(attempts, { baseMs: opts.retryBaseMs, maxMs: opts.retryMaxMs, jitter: 'equal' }, deps.rng);
    return {
      kind: 'retried',
      stmts: [
        {
          sql: `UPDATE sends SET status = 'scheduled', error = ?, lease_id = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
          args: [outcome.error, now, s.sendId, lease],
        },
        {
          sql: `UPDATE contacts SET next_send_at = ?, updated_at = ?
                WHERE id = ? AND status = 'active' AND EXISTS (
                  SELECT 1 FROM sends WHERE id = ? AND status = 'scheduled' AND lease_id IS NULL AND updated_at = ?)`,
          args: [retryAt, now, s.contact.id, s.sendId, now],
        },
      ],
    };
  }
  return {
    kind: 'failed',
    stmts: [
      {
        sql: `UPDATE sends SET status = 'failed', error = ?, lease_id = NULL, lease_until = NULL, updated_at = ?
              WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
        args: [outcome.error, now, s.sendId, lease],
      },
      eventSql(
        r.workspaceId,
        'send.failed',
        r.campaignId,
        s.contact.id,
        now,
        {
          sendId: s.sendId,
          stepId: s.step.id,
          contactId: s.contact.id,
          email: s.contact.email,
          error: outcome.error,
        },
        {
          sql: `SELECT 1 FROM sends WHERE id = ? AND status = 'failed' AND updated_at = ?`,
          args: [s.sendId, now],
        },
      ),
      // retries used up: the contact is failed (a follow-up of an unsent message makes no sense)
      ...contactStatusStatements(who, 'failed', 'send_failed', now, {
        sendId: s.sendId,
        stepId: s.step.id,
        error: outcome.error,
      }),
    ],
  };
}

/** A contact with no step left: `completed` with a contact.completed event (only if still active). */
function completionStatements(
  who: { workspaceId: number; campaignId: string; contactId: string },
  email: string,
  now: number,
): Stmt[] {
  return [
    eventSql(
      who.workspaceId,
      'contact.completed',
      who.campaignId,
      who.contactId,
      now,
      { contactId: who.contactId, email },
      { sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'`, args: [who.contactId] },
    ),
    ...(contactStatusStatements(who, 'completed', 'sequence_finished', now) as Stmt[]),
  ];
}

async function completeContact(
  deps: Deps,
  who: { workspaceId: number; campaignId: string; contactId: string },
  now: number,
) {
  const email = await deps.db.client.execute({
    sql: 'SELECT email FROM contacts WHERE id = ?',
    args: [who.contactId],
  });
  await deps.db.client.batch(completionStatements(who, String(email.rows[0]?.email ?? ''), now), 'write');
}

/**
 * One chunk of a mailbox's queue: claimed `scheduled → sending` in one statement (only rows
 * still reserved by us whose contact and campaign are still active), sent one after the other
 * over the mailbox's pooled connection, then every outcome written in one batch.
 */
async function deliverChunk(deps: Deps, opts: ResolvedOptions, chunk: ReservedSend[], report: TickReport) {
  const db = deps.db.client;
  const lease = randomUUID();
  const claimedAt = deps.clock.now();
  const claim = await db.execute({
    sql: `UPDATE sends SET status = 'sending', lease_id = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
          WHERE id IN (SELECT value FROM json_each(?)) AND +status = 'scheduled'
            AND lease_id = (SELECT j.value->>1 FROM json_each(?) j WHERE j.value->>0 = sends.id)
            AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = sends.contact_id AND c.status = 'active')
            AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = sends.campaign_id AND k.status = 'active')
          RETURNING id, attempts`,
    args: [
      lease,
      claimedAt + opts.sendLeaseMs,
      claimedAt,
      JSON.stringify(chunk.map((s) => s.sendId)),
      JSON.stringify(chunk.map((s) => [s.sendId, s.token])),
    ],
  });
  const attemptsOf = new Map(claim.rows.map((r) => [String(r.id), num(r.attempts)]));
  report.skipped += chunk.length - attemptsOf.size;
  const writes: { kind: Outcome; first: number }[] = [];
  const stmts: Stmt[] = [];
  const sent: { s: ReservedSend; at: number; last: boolean }[] = [];
  for (const s of chunk) {
    const attempts = attemptsOf.get(s.sendId);
    if (attempts === undefined) continue;
    let outcome: SendOutcome;
    let final = false;
    let mail: OutgoingMail | null = null;
    try {
      mail = buildMail(deps, s, s.mailbox, s.earlier);
      const transport = opts.transports.get(s.mailbox, () => deps.secrets.decrypt(s.mailbox.smtpPassword));
      outcome = await transport.send(mail);
    } catch (err) {
      // A template that cannot render will not get better (the send fails for good); a mailbox
      // whose transport cannot be made (e.g. its password cannot be read) is retried.
      final = mail === null;
      outcome = {
        ok: false,
        permanent: false,
        code: null,
        error: `${final ? 'render' : 'transport'}: ${(err as Error).message}`,
      };
    }
    const at = deps.clock.now();
    if (outcome.ok) {
      const next = nextStepFor(s.steps, {
        currentStep: s.step.order,
        subsequenceId: s.contact.subsequenceId,
      });
      sent.push({ s, at, last: !next });
      continue;
    }
    const out = outcomeStatements(
      deps,
      final ? { ...opts, maxAttempts: 0 } : opts,
      s,
      lease,
      attempts,
      outcome,
      at,
    );
    writes.push({ kind: out.kind, first: stmts.length });
    stmts.push(...out.stmts);
  }
  const sentFirst = stmts.length;
  if (sent.length > 0) stmts.push(...sentStatements(sent, lease));
  if (stmts.length === 0) return;
  // The messages are out: record them even if the database is busy for a while (the batch is
  // atomic and fenced, so running it again is safe). Unrecorded, they end `interrupted`.
  let results: Awaited<ReturnType<typeof db.batch>> | undefined;
  for (let attempt = 1; !results; attempt++) {
    try {
      results = await db.batch(stmts, 'write');
    } catch (err) {
      if (attempt >= 5) throw err;
      deps.log.warn('recording sends failed, retrying', { attempt, err });
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  for (const w of writes) {
    if (results[w.first]!.rows.length === 0) continue; // lease lost: another worker settled it
    if (w.kind === 'bounced') report.bounced++;
    else if (w.kind === 'retried') report.retried++;
    else report.failed++;
  }
  if (sent.length > 0) {
    report.sent += results[sentFirst]!.rows.length;
    report.completedContacts += sent.filter((x) => x.last).length;
  }
}

/**
 * The writes recording a chunk's accepted messages, set-based (a few statements whatever the
 * chunk's size), fenced by the claim's lease: sends `sent`, contacts advanced (the next step's
 * delay counted from this send, or due now when none is left), `send.sent` events; contacts
 * with no step left are completed with a `contact.completed` event.
 */
function sentStatements(sent: { s: ReservedSend; at: number; last: boolean }[], lease: string): Stmt[] {
  const rows = sent.map(({ s, at }) => {
    const next = nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
    const r = s.reservation;
    const data = {
      campaignId: r.campaignId,
      sendId: s.sendId,
      stepId: s.step.id,
      variantId: s.variantId,
      mailboxId: r.mailboxId,
      contactId: s.contact.id,
      email: s.contact.email,
      messageId: s.messageId,
    };
    return [
      s.sendId,
      s.contact.id,
      s.step.order,
      next ? at + next.delaySeconds * 1000 : at,
      at,
      newId('event', at),
      JSON.stringify(data),
      r.workspaceId,
      r.campaignId,
    ];
  });
  const j = JSON.stringify(rows);
  const mine = `EXISTS (SELECT 1 FROM sends s WHERE s.id = j.value->>0 AND s.lease_id = ? AND s.status = 'sent')`;
  const stmts: Stmt[] = [
    {
      sql: `UPDATE sends SET status = 'sent', error = NULL,
              sent_at = (SELECT j.value->>4 FROM json_each(?) j WHERE j.value->>0 = sends.id),
              updated_at = (SELECT j.value->>4 FROM json_each(?) j WHERE j.value->>0 = sends.id)
            WHERE id IN (SELECT j.value->>0 FROM json_each(?) j) AND lease_id = ? AND +status = 'sending'
            RETURNING id`,
      args: [j, j, j, lease],
    },
    {
      sql: `UPDATE contacts SET current_step = MAX(contacts.current_step, j.value->>2), last_sent_at = j.value->>4,
              next_send_at = CASE WHEN contacts.status = 'active' THEN j.value->>3 ELSE contacts.next_send_at END,
              updated_at = j.value->>4
            FROM json_each(?) j WHERE contacts.id = j.value->>1 AND ${mine}`,
      args: [j, lease],
    },
    {
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT j.value->>5, j.value->>7, 'send.sent', j.value->>8, j.value->>1, j.value->>6, j.value->>4
            FROM json_each(?) j WHERE ${mine}`,
      args: [j, lease],
    },
  ];
  const done = sent.filter((x) => x.last);
  if (done.length > 0) {
    const at = done[done.length - 1]!.at;
    const completed = done.map(({ s }) => [
      s.contact.id,
      newId('event', at),
      JSON.stringify({
        campaignId: s.reservation.campaignId,
        contactId: s.contact.id,
        email: s.contact.email,
      }),
      s.reservation.workspaceId,
      s.reservation.campaignId,
    ]);
    stmts.push({
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT j.value->>1, j.value->>3, 'contact.completed', j.value->>4, j.value->>0, j.value->>2, ?
            FROM json_each(?) j JOIN contacts c ON c.id = j.value->>0 WHERE c.status = 'active'`,
      args: [at, JSON.stringify(completed)],
    });
    // one status change per workspace (a mailbox belongs to one workspace)
    const byWorkspace = new Map<number, string[]>();
    for (const { s } of done) {
      byWorkspace.set(s.reservation.workspaceId, [
        ...(byWorkspace.get(s.reservation.workspaceId) ?? []),
        s.contact.id,
      ]);
    }
    for (const [workspaceId, contactIds] of byWorkspace) {
      stmts.push(...contactsStatusStatements(workspaceId, contactIds, 'completed', 'sequence_finished', at));
    }
  }
  return stmts;
}

/**
 * The per-worker sending queues: one per mailbox, worked serially (one pooled connection), up to
 * `maxParallelMailboxes` mailboxes at once. Ticks hand reserved sends over and need not wait.
 */
class Deliveries {
  private queues = new Map<string, { s: ReservedSend; report: TickReport; opts: ResolvedOptions }[]>();
  private running = new Map<string, Promise<void>>();
  private waiting: string[] = [];
  constructor(
    private deps: Deps,
    private maxParallel: number,
  ) {}

  busy(mailboxId: string): boolean {
    return this.running.has(mailboxId) || (this.queues.get(mailboxId)?.length ?? 0) > 0;
  }

  enqueue(mailboxId: string, sends: ReservedSend[], report: TickReport, opts: ResolvedOptions): void {
    const q = this.queues.get(mailboxId) ?? [];
    for (const s of sends) q.push({ s, report, opts });
    this.queues.set(mailboxId, q);
    if (this.running.has(mailboxId) || this.waiting.includes(mailboxId)) return;
    if (this.running.size < this.maxParallel) this.start(mailboxId);
    else this.waiting.push(mailboxId);
  }

  private start(mailboxId: string): void {
    const run = (async () => {
      const q = this.queues.get(mailboxId)!;
      while (q.length > 0) {
        const batch = q.splice(0, q[0]!.opts.chunkSize);
        // one chunk per tick (its options and report)
        const byReport = new Map<TickReport, { opts: ResolvedOptions; sends: ReservedSend[] }>();
        for (const { s, report, opts } of batch) {
          const g = byReport.get(report) ?? { opts, sends: [] };
          g.sends.push(s);
          byReport.set(report, g);
        }
        for (const [report, { opts, sends }] of byReport) {
          try {
            await deliverChunk(this.deps, opts, sends, report);
          } catch (err) {
            this.deps.log.error('sending chunk failed', { mailboxId, err });
          }
        }
      }
    })();
    this.running.set(mailboxId, run);
    void run.finally(() => {
      this.running.delete(mailboxId);
      if ((this.queues.get(mailboxId)?.length ?? 0) > 0) this.waiting.push(mailboxId);
      const next = this.waiting.shift();
      if (next) this.start(next);
    });
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}

// ------------------------------------------------------------------------------------------------
// the tick

const DEFAULTS = {
  maxBatch: 100,
  sendLeaseMs: 5 * 60_000,
  holdMs: 10 * 60_000,
  maxAttempts: 5,
  retryBaseMs: 5 * 60_000,
  retryMaxMs: 2 * 3_600_000,
  maxParallelMailboxes: 16,
  chunkSize: 20,
  awaitDelivery: true,
};

type ResolvedOptions = typeof DEFAULTS & { transports: TransportPool };

const workers = new WeakMap<Deps, Deliveries>();
function deliveriesFor(deps: Deps, opts: ResolvedOptions): Deliveries {
  let d = workers.get(deps);
  if (!d) {
    d = new Deliveries(deps, opts.maxParallelMailboxes);
    workers.set(deps, d);
  }
  return d;
}

/** Waits for this worker's queued sends to be delivered (graceful stop). */
export async function drainDeliveries(deps: Deps): Promise<void> {
  await workers.get(deps)?.drain();
}

export async function runDispatchTick(deps: Deps, options: DispatchOptions = {}): Promise<TickReport> {
  const opts: ResolvedOptions = {
    ...DEFAULTS,
    ...options,
    transports: options.transports ?? defaultPool(deps),
  };
  const deliveries = deliveriesFor(deps, opts);
  const report: TickReport = {
    interrupted: 0,
    reserved: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    bounced: 0,
    skipped: 0,
    completedContacts: 0,
    completedCampaigns: [],
  };
  let now = deps.clock.now();
  report.interrupted = await settleInterrupted(deps, now);

  const loaded = await loadState(deps, now, opts.maxBatch, (mailboxId) => deliveries.busy(mailboxId));
  const decisions: Decisions = plan(loaded.plan, now, deps.rng, { maxBatch: opts.maxBatch });

  for (const f of decisions.finished) {
    await completeContact(deps, f, now);
    report.completedContacts++;
  }

  if (decisions.reservations.length > 0) {
    const mailboxes = await loadMailboxes(deps, [...new Set(decisions.reservations.map((r) => r.mailboxId))]);
    const reserved: ReservedSend[] = [];
    for (const r of decisions.reservations) {
      const mailbox = mailboxes.get(r.mailboxId);
      if (!mailbox) continue;
      reserved.push(...(await reserve(deps, loaded, mailbox, r, now, opts.holdMs)));
    }
    report.reserved = reserved.length;
    const threads = await loadThreads(
      deps,
      reserved.filter((s) => s.contact.currentStep > 0 || s.contact.subsequenceId).map((s) => s.contact.id),
    );
    const byMailbox = new Map<string, ReservedSend[]>();
    for (const s of reserved) {
      s.earlier = threads.get(s.contact.id) ?? [];
      byMailbox.set(s.mailbox.id, [...(byMailbox.get(s.mailbox.id) ?? []), s]);
    }
    // serial per mailbox (its queue in priority order), parallel across mailboxes, bounded
    for (const [mailboxId, sends] of byMailbox) deliveries.enqueue(mailboxId, sends, report, opts);
    if (opts.awaitDelivery) await deliveries.drain();
  }

  now = deps.clock.now();
  report.completedCampaigns = await completeFinishedCampaigns(deps, loaded.activeCampaignIds, now);
  return report;
}

/** Active campaigns where nobody has a step left (no contact active or pending) become completed. */
export async function completeFinishedCampaigns(
  deps: Deps,
  campaignIds: string[],
  _now: number,
): Promise<string[]> {
  if (campaignIds.length === 0) return [];
  const res = await deps.db.client.execute({
    sql: `SELECT k.id, k.workspace_id FROM campaigns k
          WHERE k.id IN (SELECT value FROM json_each(?)) AND k.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = k.id AND c.status IN ('active', 'pending'))
            AND NOT EXISTS (SELECT 1 FROM sends s WHERE s.campaign_id = k.id AND s.status IN ('scheduled', 'sending'))`,
    args: [JSON.stringify(campaignIds)],
  });
  const done: string[] = [];
  for (const r of res.rows) {
    try {
      await completeCampaign(deps, num(r.workspace_id), String(r.id));
      done.push(String(r.id));
    } catch (err) {
      // another worker completed it first
      if ((err as { code?: string }).code !== 'invalid_transition') {
        deps.log.warn('campaign completion failed', { campaignId: String(r.id), err });
      }
    }
  }
  return done;
}

const pools = new WeakMap<Deps, TransportPool>();
/** One pool of SMTP transports per worker deps, kept across ticks. */
export function defaultPool(deps: Deps): TransportPool {
  let p = pools.get(deps);
  if (!p) {
    p = smtpTransportPool();
    pools.set(deps, p);
  }
  return p;
}
