/**
 * Moving contacts into a subsequence (API.md "Subsequences"), set-based: the same statements
 * serve an auto rule on an inbound reply (inbox effects), a corrected label (`PATCH /threads`)
 * and a person's choice (`POST …/enroll`), and go in the caller's batch with the change that
 * caused them. In one batch, for each contact that may enter:
 * 1. the enrolment row (once per subsequence: the primary key; the later statements key on it);
 * 2. `subsequence.enrolled`;
 * 3. its pending main (or earlier subsequence) sends `canceled`;
 * 4. the contact moved: `subsequence_id`, `current_step = 0`, `next_send_at` = start + the first
 *    step's delay (an out-of-office hold still applies);
 * 5. a `completed` campaign (a late reply) back to `active`, with `campaign.resumed`;
 * 6. `replied`/`completed` → `active` through the one status service (with its event).
 */
import type { InStatement } from '@libsql/client';
import type { Db } from '../db/client';
import type { RoutingPolicy } from '../db/schema/campaigns';
import type { ContactStatus } from '../db/schema/contacts';
import { type RoutableSubsequence, routeReply } from '../domain/subsequence-routing';
import { newId } from '../ids';
import { statusChangeStatements } from './contacts';
import { onSuppressionList } from './suppression-list';

type SqlGuard = { sql: string; args: (string | number)[] };

/** Statuses a contact may enter a subsequence from. */
export const ENROLLABLE_STATUSES: readonly ContactStatus[] = ['active', 'replied', 'completed'];

export interface EnrollmentRow {
  contactId: string;
  /** when its first step's delay starts (the reply, or now). */
  startAt: number;
  threadId?: string | null;
  /** inbox: only if this stored message is new (a re-read changes nothing). */
  messageId?: string | null;
}

export interface EnrollmentTarget {
  workspaceId: number;
  campaignId: string;
  subsequenceId: string;
  source: 'auto' | 'manual';
}

/** The enrolment statements; `eventIds` are the ids of the `subsequence.enrolled` events (one per row). */
export function enrollmentStatements(
  t: EnrollmentTarget,
  rows: readonly EnrollmentRow[],
  now: number,
  guard?: SqlGuard,
): { stmts: InStatement[]; eventIds: string[] } {
  if (rows.length === 0) return { stmts: [], eventIds: [] };
  const eventIds = rows.map(() => newId('event', now));
  const data = JSON.stringify(
    rows.map((r, i) => [r.contactId, eventIds[i], r.startAt, r.threadId ?? null, r.messageId ?? null]),
  );
  const g = guard ? ` AND (${guard.sql})` : '';
  const gArgs = guard?.args ?? [];
  // A contact may enter when it is in the campaign, in an enrollable status, not on the suppression
  // list, not running in another subsequence, its campaign still sending, the subsequence live.
  // By id: json_each drives (CROSS JOIN keeps the order) and `+` keeps SQLite off the campaign's
  // index, which would pair every contact of the campaign with every row of the list.
  const eligible = `c.id = j.value->>0 AND +c.campaign_id = ? AND +c.workspace_id = ?
      AND c.status IN ('active', 'replied', 'completed')
      AND NOT (c.status = 'active' AND c.subsequence_id IS NOT NULL AND c.subsequence_id != ?)
      AND NOT ${onSuppressionList('c.email', 'c.workspace_id')}
      AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = c.campaign_id AND k.status IN ('active', 'paused', 'completed'))
      AND EXISTS (SELECT 1 FROM subsequences q WHERE q.id = ? AND q.campaign_id = c.campaign_id AND q.deleted_at IS NULL)
      AND (j.value->>4 IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = j.value->>4))${g}`;
  const eligibleArgs = [t.campaignId, t.workspaceId, t.subsequenceId, t.subsequenceId, ...gArgs];
  const entered = 'EXISTS (SELECT 1 FROM subsequence_enrollments e WHERE e.event_id = j.value->>1)';
  const firstDelay = `coalesce((SELECT delay_seconds FROM steps WHERE subsequence_id = ? ORDER BY position LIMIT 1), 0)`;
  const stmts: InStatement[] = [
    {
      sql: `INSERT INTO subsequence_enrollments (contact_id, subsequence_id, campaign_id, workspace_id, source, thread_id,
              event_id, enrolled_at)
            SELECT c.id, ?, c.campaign_id, c.workspace_id, ?, j.value->>3, j.value->>1, ?
            FROM json_each(?) j CROSS JOIN contacts c ON ${eligible}
            WHERE true ON CONFLICT (contact_id, subsequence_id) DO NOTHING`,
      args: [t.subsequenceId, t.source, now, data, ...eligibleArgs],
    },
    {
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT j.value->>1, c.workspace_id, 'subsequence.enrolled', c.campaign_id, c.id,
              json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email, 'subsequenceId', ?,
                'source', ?, 'threadId', j.value->>3, 'previousStatus', c.status,
                'previousSubsequenceId', c.subsequence_id), ?
            FROM json_each(?) j CROSS JOIN contacts c ON c.id = j.value->>0
            WHERE ${entered} ORDER BY j.key`,
      args: [t.subsequenceId, t.source, now, data],
    },
    {
      sql: `UPDATE sends SET status = 'canceled', error = 'subsequence', updated_at = ?
            WHERE +status IN ('queued', 'scheduled')
              AND contact_id IN (SELECT j.value->>0 FROM json_each(?) j WHERE ${entered})`,
      args: [now, data],
    },
    {
      sql: `UPDATE contacts SET subsequence_id = ?, current_step = 0,
              next_send_at = max(u.start + ${firstDelay} * 1000, coalesce(contacts.hold_until, 0)), updated_at = ?
            FROM (SELECT j.value->>0 AS cid, j.value->>2 AS start FROM json_each(?) j WHERE ${entered}) u
            WHERE contacts.id = u.cid`,
      args: [t.subsequenceId, t.subsequenceId, now, data],
    },
    // A late reply after every contact had finished: the campaign has work again.
    {
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT ?, k.workspace_id, 'campaign.resumed', k.id, NULL,
              json_object('campaignId', k.id, 'action', 'reopen', 'from', 'completed', 'to', 'active',
                'reason', 'subsequence_enrolled'), ?
            FROM campaigns k WHERE k.id = ? AND k.status = 'completed'
              AND EXISTS (SELECT 1 FROM json_each(?) j WHERE ${entered})`,
      args: [newId('event', now), now, t.campaignId, data],
    },
    {
      sql: `UPDATE campaigns SET status = 'active', updated_at = ? WHERE id = ? AND status = 'completed'
              AND EXISTS (SELECT 1 FROM json_each(?) j WHERE ${entered})`,
      args: [now, t.campaignId, data],
    },
    ...statusChangeStatements(
      { contactIds: rows.map((r) => r.contactId), campaignId: t.campaignId },
      {
        workspaceId: t.workspaceId,
        to: 'active',
        from: ['replied', 'completed'],
        reason: 'subsequence_enrolled',
        data: { subsequenceId: t.subsequenceId },
        guard: {
          sql: `EXISTS (SELECT 1 FROM subsequence_enrollments e WHERE e.contact_id = c.id AND e.subsequence_id = ?
                  AND e.enrolled_at = ? AND e.event_id IN (SELECT value FROM json_each(?)))`,
          args: [t.subsequenceId, now, JSON.stringify(eventIds)],
        },
      },
      now,
    ),
  ];
  return { stmts, eventIds };
}

export interface CampaignRouting {
  policy: RoutingPolicy | null;
  subsequences: RoutableSubsequence[];
}

/** Each campaign's routing policy and subsequences, in one read. */
export async function loadRouting(
  db: Db,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignRouting>> {
  const out = new Map<string, CampaignRouting>();
  if (campaignIds.length === 0) return out;
  const ids = JSON.stringify([...new Set(campaignIds)]);
  const [k, q] = await db.client.batch(
    [
      {
        sql: 'SELECT id, routing_policy FROM campaigns WHERE id IN (SELECT value FROM json_each(?))',
        args: [ids],
      },
      {
        sql: `SELECT id, campaign_id, enrollment_mode, deleted_at FROM subsequences
              WHERE campaign_id IN (SELECT value FROM json_each(?))`,
        args: [ids],
      },
    ],
    'read',
  );
  for (const r of k!.rows) {
    const raw = r.routing_policy;
    const policy = typeof raw === 'string' ? (JSON.parse(raw) as RoutingPolicy | null) : null;
    out.set(String(r.id), { policy, subsequences: [] });
  }
  for (const r of q!.rows) {
    out.get(String(r.campaign_id))?.subsequences.push({
      id: String(r.id),
      enrollmentMode: r.enrollment_mode as 'auto' | 'manual',
      deleted: r.deleted_at !== null,
    });
  }
  return out;
}

/**
 * The enrolments a batch of labelled replies causes: per (campaign, subsequence), the rows of
 * the contacts whose reply intent hits an auto rule first. `manual` rules only label.
 */
export function routedEnrollments(
  routing: Map<string, CampaignRouting>,
  replies: readonly (EnrollmentRow & { campaignId: string; intent: string | null })[],
): { target: Omit<EnrollmentTarget, 'workspaceId' | 'source'>; rows: EnrollmentRow[] }[] {
  const groups = new Map<
    string,
    { target: { campaignId: string; subsequenceId: string }; rows: EnrollmentRow[] }
  >();
  for (const r of replies) {
    const c = routing.get(r.campaignId);
    const decision = c ? routeReply(c.policy, c.subsequences, r.intent) : null;
    if (decision?.action !== 'enroll') continue;
    const key = `${r.campaignId}|${decision.subsequenceId}`;
    const g = groups.get(key) ?? {
      target: { campaignId: r.campaignId, subsequenceId: decision.subsequenceId },
      rows: [],
    };
    g.rows.push({ contactId: r.contactId, startAt: r.startAt, threadId: r.threadId, messageId: r.messageId });
    groups.set(key, g);
  }
  return [...groups.values()];
}
