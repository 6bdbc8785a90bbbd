/**
 * Subsequences of a campaign (API.md "Subsequences"): create, list with counts, get, patch,
 * delete (only while nobody is active in it), the campaign's routing policy, and a person's
 * enrolment of contacts. Each change writes its event in the same batch.
 */
import type { Db } from '../db/client';
import type { RoutingPolicy } from '../db/schema/campaigns';
import type { ContactStatus } from '../db/schema/contacts';
import type { EnrollmentMode } from '../db/schema/subsequences';
import { routingPolicyErrors, withoutSubsequence } from '../domain/subsequence-routing';
import { AppError } from '../errors';
import { eventStatement } from '../events';
import { newId } from '../ids';
import { getCampaign } from './campaigns';
import { enrollmentStatements } from './subsequence-enrollment';
import { onSuppressionList } from './suppression-list';

export interface Subsequence {
  id: string;
  campaignId: string;
  name: string;
  enrollmentMode: EnrollmentMode;
  status: 'active';
  createdAt: number;
  updatedAt: number;
  counts: { enrolled: number; active: number; completed: number };
}

const COLS = `q.id, q.campaign_id, q.name, q.enrollment_mode, q.status, q.created_at, q.updated_at,
  (SELECT count(*) FROM subsequence_enrollments e WHERE e.subsequence_id = q.id) AS enrolled,
  (SELECT count(*) FROM subsequence_enrollments e WHERE e.subsequence_id = q.id AND e.completed_at IS NOT NULL) AS completed,
  (SELECT count(*) FROM subsequence_enrollments e JOIN contacts c ON c.id = e.contact_id
     WHERE e.subsequence_id = q.id AND c.subsequence_id = q.id AND c.status = 'active') AS active`;

function toSubsequence(r: Record<string, unknown>): Subsequence {
  return {
    id: String(r.id),
    campaignId: String(r.campaign_id),
    name: String(r.name),
    enrollmentMode: r.enrollment_mode as EnrollmentMode,
    status: 'active',
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at ?? r.created_at),
    counts: { enrolled: Number(r.enrolled), active: Number(r.active), completed: Number(r.completed) },
  };
}

export async function createSubsequence(
  db: Db,
  workspaceId: number,
  campaignId: string,
  input: { name: string; enrollmentMode: EnrollmentMode },
  now: number,
): Promise<Subsequence> {
  await getCampaign(db, workspaceId, campaignId);
  const id = newId('subsequence', now);
  await db.client.batch(
    [
      {
        sql: `INSERT INTO subsequences (id, campaign_id, name, enrollment_mode, status, created_at, updated_at)
              VALUES (?, ?, ?, ?, 'active', ?, ?)`,
        args: [id, campaignId, input.name, input.enrollmentMode, now, now],
      },
      eventStatement(
        {
          workspaceId,
          type: 'subsequence.created',
          campaignId,
          data: { subsequenceId: id, name: input.name, enrollmentMode: input.enrollmentMode },
        },
        now,
      ),
    ],
    'write',
  );
  return getSubsequence(db, workspaceId, campaignId, id);
}

/** The campaign's live subsequences, oldest first (a short fixed list). */
export async function listSubsequences(
  db: Db,
  workspaceId: number,
  campaignId: string,
): Promise<Subsequence[]> {
  await getCampaign(db, workspaceId, campaignId);
  const res = await db.client.execute({
    sql: `SELECT ${COLS} FROM subsequences q WHERE q.campaign_id = ? AND q.deleted_at IS NULL ORDER BY q.id`,
    args: [campaignId],
  });
  return res.rows.map((r) => toSubsequence(r as Record<string, unknown>));
}

/** A live subsequence of this workspace's campaign, or 404. */
export async function getSubsequence(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
): Promise<Subsequence> {
  const res = await db.client.execute({
    sql: `SELECT ${COLS} FROM subsequences q JOIN campaigns k ON k.id = q.campaign_id
          WHERE q.id = ? AND q.campaign_id = ? AND k.workspace_id = ? AND q.deleted_at IS NULL`,
    args: [id, campaignId, workspaceId],
  });
  const r = res.rows[0];
  if (!r) throw AppError.notFound('Subsequence', id);
  return toSubsequence(r as Record<string, unknown>);
}

export async function updateSubsequence(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  patch: { name?: string; enrollmentMode?: EnrollmentMode },
  now: number,
): Promise<Subsequence> {
  const current = await getSubsequence(db, workspaceId, campaignId, id);
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  await db.client.batch(
    [
      {
        sql: `UPDATE subsequences SET name = ?, enrollment_mode = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
        args: [patch.name ?? current.name, patch.enrollmentMode ?? current.enrollmentMode, now, id],
      },
      eventStatement(
        { workspaceId, type: 'subsequence.updated', campaignId, data: { subsequenceId: id, fields } },
        now,
      ),
    ],
    'write',
  );
  return getSubsequence(db, workspaceId, campaignId, id);
}

/**
 * Deletes a subsequence nobody is active in (409 otherwise). Its row and steps stay (the sends of
 * its steps still read as they were sent); the routing rules naming it go in the same batch.
 */
export async function deleteSubsequence(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  now: number,
): Promise<void> {
  const sub = await getSubsequence(db, workspaceId, campaignId, id);
  const campaign = await getCampaign(db, workspaceId, campaignId);
  const activeIn = `SELECT 1 FROM contacts c WHERE c.campaign_id = ? AND c.subsequence_id = ? AND c.status = 'active'`;
  const [del] = await db.client.batch(
    [
      {
        sql: `UPDATE subsequences SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL
                AND NOT EXISTS (${activeIn}) RETURNING id`,
        args: [now, now, id, campaignId, id],
      },
      {
        sql: `UPDATE campaigns SET routing_policy = ?, updated_at = ?
              WHERE id = ? AND EXISTS (SELECT 1 FROM subsequences WHERE id = ? AND deleted_at = ?)`,
        args: [JSON.stringify(withoutSubsequence(campaign.routingPolicy, id)), now, campaignId, id, now],
      },
      eventStatement(
        { workspaceId, type: 'subsequence.deleted', campaignId, data: { subsequenceId: id, name: sub.name } },
        now,
        { sql: 'SELECT 1 FROM subsequences WHERE id = ? AND deleted_at = ?', args: [id, now] },
      ),
    ],
    'write',
  );
  if (del!.rows.length > 0) return;
  throw new AppError(
    'conflict',
    `Subsequence ${id} has ${sub.counts.active || 'some'} active contact(s); it can be deleted once they are finished`,
    {
      active: sub.counts.active,
    },
  );
}

/** Validates and stores the campaign's routing policy; answers the stored policy. */
export async function setRoutingPolicy(
  db: Db,
  workspaceId: number,
  campaignId: string,
  policy: { rules: { trigger: string; value: string; subsequenceId: string }[] },
  now: number,
): Promise<RoutingPolicy> {
  await getCampaign(db, workspaceId, campaignId);
  const subs = await db.client.execute({
    sql: 'SELECT id, enrollment_mode, deleted_at FROM subsequences WHERE campaign_id = ?',
    args: [campaignId],
  });
  const known = subs.rows.map((r) => ({
    id: String(r.id),
    enrollmentMode: r.enrollment_mode as EnrollmentMode,
    deleted: r.deleted_at !== null,
  }));
  const errors = routingPolicyErrors(policy.rules, known);
  if (errors.length > 0) throw AppError.validation(errors);
  const stored: RoutingPolicy = {
    rules: policy.rules.map((r) => ({
      trigger: 'reply_intent',
      value: r.value,
      subsequenceId: r.subsequenceId,
    })),
  };
  await db.client.batch(
    [
      {
        sql: 'UPDATE campaigns SET routing_policy = ?, updated_at = ? WHERE id = ? AND workspace_id = ?',
        args: [JSON.stringify(stored), now, campaignId, workspaceId],
      },
      eventStatement(
        { workspaceId, type: 'campaign.updated', campaignId, data: { fields: ['routingPolicy'] } },
        now,
      ),
    ],
    'write',
  );
  return stored;
}

export type EnrollSkipReason =
  | 'not_found'
  | 'already_enrolled'
  | 'in_other_subsequence'
  | 'campaign_not_active'
  | 'suppressed'
  | ContactStatus;

export interface EnrollResult {
  enrolled: number;
  skipped: { contactId: string; reason: EnrollSkipReason }[];
}

/**
 * A person's enrolment (`POST …/enroll`): moves the contacts as an auto rule does; the others are
 * skipped with why. The reasons are read first; the write re-checks every condition, so a contact
 * that changed in between is skipped too (with its status then).
 */
export async function enrollContacts(
  db: Db,
  workspaceId: number,
  campaignId: string,
  subsequenceId: string,
  contactIds: readonly string[],
  now: number,
): Promise<EnrollResult> {
  const campaign = await getCampaign(db, workspaceId, campaignId);
  await getSubsequence(db, workspaceId, campaignId, subsequenceId);
  const ids = [...new Set(contactIds)];
  const read = async () =>
    new Map(
      (
        await db.client.execute({
          sql: `SELECT c.id, c.status, c.subsequence_id,
                  EXISTS (SELECT 1 FROM subsequence_enrollments e WHERE e.contact_id = c.id AND e.subsequence_id = ?) AS entered,
                  ${onSuppressionList('c.email', 'c.workspace_id')} AS listed
                FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?)) AND +c.campaign_id = ? AND +c.workspace_id = ?`,
          args: [subsequenceId, JSON.stringify(ids), campaignId, workspaceId],
        })
      ).rows.map((r) => [String(r.id), r]),
    );
  const before = await read();
  const skipped: EnrollResult['skipped'] = [];
  const reasonOf = (id: string): EnrollSkipReason | null => {
    const r = before.get(id);
    if (!r) return 'not_found';
    if (Number(r.entered)) return 'already_enrolled';
    const status = r.status as ContactStatus;
    if (!['active', 'replied', 'completed'].includes(status)) return status;
    if (Number(r.listed)) return 'suppressed';
    if (status === 'active' && r.subsequence_id !== null && r.subsequence_id !== subsequenceId)
      return 'in_other_subsequence';
    if (campaign.status === 'draft' || campaign.status === 'errored') return 'campaign_not_active';
    return null;
  };
  const candidates: string[] = [];
  for (const id of ids) {
    const reason = reasonOf(id);
    if (reason) skipped.push({ contactId: id, reason });
    else candidates.push(id);
  }
  if (candidates.length === 0) return { enrolled: 0, skipped };
  const { stmts, eventIds } = enrollmentStatements(
    { workspaceId, campaignId, subsequenceId, source: 'manual' },
    candidates.map((contactId) => ({ contactId, startAt: now })),
    now,
  );
  await db.client.batch(stmts, 'write');
  const done = await db.client.execute({
    sql: 'SELECT contact_id FROM subsequence_enrollments WHERE event_id IN (SELECT value FROM json_each(?))',
    args: [JSON.stringify(eventIds)],
  });
  const entered = new Set(done.rows.map((r) => String(r.contact_id)));
  const lost = candidates.filter((id) => !entered.has(id));
  if (lost.length > 0) {
    const after = await read();
    for (const id of lost) {
      const r = after.get(id);
      skipped.push({
        contactId: id,
        reason: !r ? 'not_found' : Number(r.entered) ? 'already_enrolled' : (r.status as ContactStatus),
      });
    }
  }
  return { enrolled: entered.size, skipped };
}
