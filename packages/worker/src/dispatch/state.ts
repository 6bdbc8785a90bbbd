/**
 * Loading what the planner needs (DESIGN.md "The sending engine"): active campaigns inside a
 * window, their campaign mailboxes with 24 h counts, and the due contacts per sticky sender.
 * Reads follow the due work: nothing is read for a mailbox that cannot send now.
 */
import { type Deps, isSendable, onSuppressionList, type Schedule } from '@outreach/shared';
import type { Priority, Variant } from '@outreach/shared/db/schema/campaigns';
import type { PlanCampaignMailbox, PlanMailbox } from './plan';
import {
  type CampaignInfo,
  DAY_MS,
  type DueContact,
  json,
  type LoadedState,
  num,
  type StepRow,
  str,
} from './types';

export async function loadState(
  deps: Deps,
  now: number,
  maxBatch: number,
  busy: (mailboxId: string) => boolean = () => false,
): Promise<LoadedState> {
  const db = deps.db.client;
  const campRes = await db.execute(
    "SELECT id, workspace_id, priority, schedule, stop_rules FROM campaigns WHERE status = 'active' ORDER BY id",
  );
  const activeCampaignIds = campRes.rows.map((r) => String(r.id));
  const inWindow = campRes.rows
    .map((r) => ({
      id: String(r.id),
      workspaceId: num(r.workspace_id),
      priority: String(r.priority) as Priority,
      schedule: json<Schedule | null>(r.schedule, null),
      // a 5xx stops the contact unless the campaign says otherwise
      stopOnBounce: json<{ stopOnBounce?: boolean }>(r.stop_rules, {}).stopOnBounce !== false,
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
  // Only the campaign mailboxes that may send now and have a contact due (sticky to them, or
  // new in their campaign) need counts and contacts: a tick with nothing due costs one probe.
  // (a mailbox whose queue in this worker is still sending is left for the next tick)
  const free = usable.filter((c) => c.nextAvailableAt <= now && !busy(c.mailboxId));
  const due = free.length > 0 ? await dueSenders(deps, free, now) : new Set<string>();
  const ready = free.filter(
    (c) => due.has(senderKey(c.campaignId, c.mailboxId)) || due.has(senderKey(c.campaignId, null)),
  );
  if (ready.length === 0) {
    return {
      ...empty,
      campaigns,
      attached: cmbs,
      plan: { ...empty.plan, campaigns: [...campaigns.values()] },
    };
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
  const dueCols = `id, campaign_id, mailbox_id, current_step, subsequence_id, next_send_at, email, first_name, last_name, custom_json,
    ${onSuppressionList('contacts.email', 'contacts.workspace_id')} AS suppressed, ${SUBSEQUENCE_THREAD_COLS}`;
  const stmts = [
    ...ready.map((c) => ({ sql: countSql('campaign_mailbox_id'), args: [c.id, since] })),
    // a mailbox's own cap counts the replies sent from the Unibox too
    ...readyMailboxes.map((m) => ({
      sql: `SELECT (${countSql('mailbox_id').replace('SELECT count(*) AS n', 'SELECT count(*)')})
              + (SELECT count(*) FROM messages WHERE mailbox_id = ? AND direction = 'outbound' AND created_at > ?
                 AND status != 'failed') AS n`,
      args: [m, since, m, since],
    })),
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
  const suppressed: { workspaceId: number; contactId: string }[] = [];
  const workspaceOf = new Map(inWindow.map((c) => [c.id, c.workspaceId]));
  for (; i < results.length; i++) {
    for (const r of results[i]!.rows) {
      if (num(r.suppressed)) {
        suppressed.push({ workspaceId: workspaceOf.get(String(r.campaign_id))!, contactId: String(r.id) });
        continue;
      }
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
        ...(r.subsequence_id == null
          ? {}
          : {
              threadRefs: json<string[]>(r.thread_refs, []),
              thread: { subject: str(r.thread_subject), originSubject: str(r.origin_subject) },
            }),
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
    suppressed,
    attached: cmbs,
  };
}

const senderKey = (campaignId: string, mailboxId: string | null) => `${campaignId} ${mailboxId ?? ''}`;

/**
 * Which of these campaign mailboxes have a due contact waiting for them, and which of their
 * campaigns have a due new contact (no sender yet): one statement, an index seek per pair.
 */
async function dueSenders(deps: Deps, cmbs: PlanCampaignMailbox[], now: number): Promise<Set<string>> {
  const pairs = new Map<string, [string, string | null]>();
  for (const c of cmbs) {
    pairs.set(senderKey(c.campaignId, c.mailboxId), [c.campaignId, c.mailboxId]);
    pairs.set(senderKey(c.campaignId, null), [c.campaignId, null]);
  }
  const res = await deps.db.client.execute({
    sql: `SELECT j.value->>0 AS campaign_id, j.value->>1 AS mailbox_id FROM json_each(?) j
          WHERE CASE WHEN j.value->>1 IS NULL
            THEN EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = j.value->>0 AND c.mailbox_id IS NULL
                           AND c.status = 'active' AND c.next_send_at <= ?)
            ELSE EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = j.value->>0 AND c.mailbox_id = j.value->>1
                           AND c.status = 'active' AND c.next_send_at <= ?) END`,
    args: [JSON.stringify([...pairs.values()]), now, now],
  });
  return new Set(res.rows.map((r) => senderKey(String(r.campaign_id), str(r.mailbox_id))));
}

/**
 * A subsequence step goes in the contact's thread: the Message-IDs of the whole conversation with
 * its mailbox (our sends, the contact's replies, Unibox replies; oldest first) for
 * In-Reply-To/References, and the thread's subject for `Re:` (or, before any thread, the main
 * sequence's first subject). Read for subsequence contacts only (CASE evaluates lazily); the
 * `+` keeps SQLite on the contact's (contact, step) index, not on the mailbox's every send.
 */
const SUBSEQUENCE_THREAD_COLS = `
  CASE WHEN subsequence_id IS NOT NULL THEN (SELECT json_group_array(mid) FROM (
    SELECT s.message_id AS mid, s.sent_at AS at, s.id AS k FROM sends s
      WHERE s.contact_id = contacts.id AND +s.mailbox_id = contacts.mailbox_id AND s.status IN ('sent', 'replied')
    UNION ALL
    SELECT m.message_id, m.date_received, m.id FROM threads t JOIN messages m ON m.thread_id = t.id
      WHERE t.contact_id = contacts.id AND t.mailbox_id = contacts.mailbox_id
        AND ((m.direction = 'inbound' AND m.kind IN ('reply', 'auto_reply')) OR (m.direction = 'outbound' AND m.status = 'sent'))
    ORDER BY at, k)) END AS thread_refs,
  CASE WHEN subsequence_id IS NOT NULL THEN (SELECT t.subject_display FROM threads t
    WHERE t.contact_id = contacts.id AND t.mailbox_id = contacts.mailbox_id) END AS thread_subject,
  CASE WHEN subsequence_id IS NOT NULL THEN (SELECT st.subject FROM steps st
    WHERE st.campaign_id = contacts.campaign_id AND st.subsequence_id IS NULL ORDER BY st.position LIMIT 1) END AS origin_subject`;

function safeSendable(schedule: Schedule, now: number): boolean {
  try {
    return isSendable(schedule, now);
  } catch {
    return false; // an invalid stored schedule never sends
  }
}
