/**
 * Campaign analytics from the counters that triggers keep (db/schema/counters.ts): contacts by
 * status, sends by (step, variant, status), read with the campaign and its steps in one statement
 * (one round trip, one snapshot). The cost follows the number of statuses and steps, not of contacts.
 */
import type { Db } from '../db/client';
import type { CampaignStatus, ContactStatus, SendStatus, Variant } from '../db/schema/index';
import { AppError } from '../errors';

export interface VariantStats {
  variantId: string;
  sent: number;
  replied: number;
  /** (ext) sends of this variant rejected by the recipient's server. */
  bounced: number;
}

export interface StepStats {
  stepId: string;
  order: number;
  /** (ext) null for the main sequence. */
  subsequenceId: string | null;
  sent: number;
  replied: number;
  bounced: number;
  variants: VariantStats[];
}

export interface CampaignStats {
  campaignId: string;
  status: CampaignStatus;
  contacts: Record<'total' | ContactStatus, number>;
  /** `interrupted` (ext): `failed` rows whose message may have been delivered (see the rules below). */
  sends: {
    total: number;
    sent: number;
    failed: number;
    bounced: number;
    replied: number;
    interrupted: number;
  };
  steps: StepStats[];
  /** (ext) per subsequence: contacts that entered it and finished it, its steps' sends. */
  subsequences: SubsequenceStats[];
}

export interface SubsequenceStats {
  subsequenceId: string;
  enrolled: number;
  sent: number;
  replied: number;
  completed: number;
}

const CONTACT_KEYS: ContactStatus[] = [
  'active',
  'completed',
  'replied',
  'bounced',
  'pending',
  'unsubscribed',
  'suppressed',
  'failed',
];

/**
 * Counting rules:
 * - `contacts.total` is every contact of the campaign, and each status its own count.
 * - `sends.total` is every send row (whatever its status, canceled and waiting ones included);
 *   `sent` counts messages that left through SMTP (`sent` and, since a reply follows a sent
 *   message, `replied`); `failed`, `bounced` and `replied` count their status, except that
 *   `failed` rows with error `interrupted` (a worker died after handing the message to SMTP and
 *   before the answer was recorded: it may have been delivered) count as `interrupted` instead.
 * - Per step and variant the same rules apply to that step's / variant's rows.
 */
export async function campaignStats(db: Db, workspaceId: number, campaignId: string): Promise<CampaignStats> {
  // One statement (one snapshot, one round trip, one prepare): the campaign's status, its
  // counters and steps as small JSON arrays, and its interrupted sends (its failed rows only,
  // through the status index: few, unlike its sent ones).
  const rows = await db.read({
    sql: `SELECT status,
            (SELECT json_group_array(json_array(status, n)) FROM campaign_contact_counts
              WHERE campaign_id = ?1 AND n <> 0) AS contacts,
            (SELECT json_group_array(json_array(step_id, nullif(variant_id, ''), status, n)) FROM campaign_send_counts
              WHERE campaign_id = ?1 AND n <> 0) AS sends,
            (SELECT json_group_array(json_array(id, subsequence_id, position, json(variants))
                ORDER BY subsequence_id IS NOT NULL, subsequence_id, position, id)
              FROM steps WHERE campaign_id = ?1) AS steps,
            (SELECT count(*) FROM sends WHERE campaign_id = ?1 AND status = 'failed' AND error = 'interrupted') AS interrupted,
            -- enrolments by subsequence (its index); a deleted one stays listed once somebody entered it
            (SELECT json_group_array(json_array(x.id, x.enrolled, x.completed)) FROM (
               SELECT q.id, count(e.contact_id) AS enrolled, count(e.completed_at) AS completed
               FROM subsequences q LEFT JOIN subsequence_enrollments e ON e.subsequence_id = q.id
               WHERE q.campaign_id = ?1 GROUP BY q.id HAVING q.deleted_at IS NULL OR count(e.contact_id) > 0
               ORDER BY q.id) x) AS subsequences
          FROM campaigns WHERE id = ?1 AND workspace_id = ?2`,
    args: [campaignId, workspaceId],
  });
  const row = rows[0];
  if (!row) throw AppError.notFound('Campaign', campaignId);
  const [status, contactsJson, sendsJson, stepsJson, interrupted, subsequencesJson] = row;
  const contactRows = JSON.parse(String(contactsJson)) as [ContactStatus, number][];
  const sendRows = JSON.parse(String(sendsJson)) as [string, string | null, SendStatus, number][];
  const stepRows = JSON.parse(String(stepsJson)) as [string, string | null, number, Variant[] | null][];
  const subsequenceRows = JSON.parse(String(subsequencesJson)) as [string, number, number][];

  const contacts = { total: 0 } as CampaignStats['contacts'];
  for (const k of CONTACT_KEYS) contacts[k] = 0;
  for (const [s, n] of contactRows) {
    contacts.total += n;
    if (s in contacts) contacts[s] += n;
  }

  const steps: StepStats[] = [];
  const byStep = new Map<string, { step: StepStats; variants: Map<string, VariantStats> }>();
  for (const [stepId, subsequenceId, order, variants] of stepRows) {
    const step: StepStats = {
      stepId,
      order,
      subsequenceId,
      sent: 0,
      replied: 0,
      bounced: 0,
      variants: (variants ?? []).map((v) => ({ variantId: v.id, sent: 0, replied: 0, bounced: 0 })),
    };
    steps.push(step);
    byStep.set(step.stepId, { step, variants: new Map(step.variants.map((v) => [v.variantId, v])) });
  }

  const sends = { total: 0, sent: 0, failed: 0, bounced: 0, replied: 0, interrupted: 0 };
  for (const [stepId, variantId, status, n] of sendRows) {
    const delivered = status === 'sent' || status === 'replied' ? n : 0;
    const replied = status === 'replied' ? n : 0;
    const bounced = status === 'bounced' ? n : 0;
    sends.total += n;
    sends.sent += delivered;
    sends.replied += replied;
    sends.bounced += bounced;
    if (status === 'failed') sends.failed += n;
    const entry = byStep.get(stepId);
    if (!entry) continue; // a step deleted after it sent: still in the totals
    entry.step.sent += delivered;
    entry.step.replied += replied;
    entry.step.bounced += bounced;
    const v = variantId == null ? undefined : entry.variants.get(variantId);
    if (v) {
      v.sent += delivered;
      v.replied += replied;
      v.bounced += bounced;
    }
  }
  sends.interrupted = Number(interrupted);
  sends.failed -= sends.interrupted;
  const subsequences: SubsequenceStats[] = subsequenceRows.map(([subsequenceId, enrolled, completed]) => {
    const own = steps.filter((st) => st.subsequenceId === subsequenceId);
    return {
      subsequenceId,
      enrolled,
      sent: own.reduce((n, st) => n + st.sent, 0),
      replied: own.reduce((n, st) => n + st.replied, 0),
      completed,
    };
  });
  return { campaignId, status: status as CampaignStatus, contacts, sends, steps, subsequences };
}

export interface SummaryRow {
  stepId: string;
  order: number;
  subsequenceId: string | null;
  /** null on the step's own row. */
  variantId: string | null;
  sent: number;
  replied: number;
  bounced: number;
  /** replied / sent, 0 when nothing was sent; 4 decimals. */
  replyRate: number;
  bounceRate: number;
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : 0);

/** The per-step / per-variant table of an export summary: a row per step, then one per variant. */
export function summaryTable(stats: CampaignStats): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const s of stats.steps) {
    const base = { stepId: s.stepId, order: s.order, subsequenceId: s.subsequenceId };
    rows.push({
      ...base,
      variantId: null,
      sent: s.sent,
      replied: s.replied,
      bounced: s.bounced,
      replyRate: rate(s.replied, s.sent),
      bounceRate: rate(s.bounced, s.sent + s.bounced),
    });
    for (const v of s.variants) {
      rows.push({
        ...base,
        variantId: v.variantId,
        sent: v.sent,
        replied: v.replied,
        bounced: v.bounced,
        replyRate: rate(v.replied, v.sent),
        bounceRate: rate(v.bounced, v.sent + v.bounced),
      });
    }
  }
  return rows;
}
