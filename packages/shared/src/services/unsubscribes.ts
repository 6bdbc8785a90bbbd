/**
 * What an unsubscribe link does. The token (see `unsubscribe.ts`) names a send or a contact;
 * applying it makes that contact `unsubscribed` (its waiting sends canceled, a
 * `contact.status_changed` and a `contact.unsubscribed` event, in one batch) and adds a
 * workspace-wide suppression with reason `unsubscribed`, so the address gets no mail from any
 * campaign of the workspace (its other contacts become `suppressed`).
 *
 * Both writes are idempotent, and the contact's change comes first: a second click (or a retry
 * after a crash between the two batches) changes nothing more and completes the suppression.
 */
import type { InStatement } from '@libsql/client';
import type { SecretBox } from '../crypto';
import type { Db } from '../db/client';
import type { ContactStatus } from '../db/schema/index';
import { eventsSelect } from '../events';
import { newId } from '../ids';
import { statusChangeStatements } from './contacts';
import { addSuppressions } from './suppressions';
import { verifyUnsubscribeToken } from './unsubscribe';

export const UNSUBSCRIBED_EVENT = 'contact.unsubscribed';

/** Who a valid token points at. */
export interface UnsubscribeTarget {
  workspaceId: number;
  campaignId: string;
  contactId: string;
  email: string;
  status: ContactStatus;
  /** the send whose link was used (null for a contact token). */
  sendId: string | null;
  stepId: string | null;
}

/** The contact a token names, or null when the token is forged, malformed or points at nothing. */
export async function resolveUnsubscribeToken(
  db: Db,
  secrets: SecretBox,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const id = verifyUnsubscribeToken(secrets, token);
  if (!id) return null;
  const bySend = id.startsWith('snd_');
  const res = await db.client.execute({
    sql: bySend
      ? `SELECT c.workspace_id, c.campaign_id, c.id AS contact_id, c.email, c.status, s.id AS send_id, s.step_id
         FROM sends s JOIN contacts c ON c.id = s.contact_id WHERE s.id = ?`
      : `SELECT c.workspace_id, c.campaign_id, c.id AS contact_id, c.email, c.status, NULL AS send_id, NULL AS step_id
         FROM contacts c WHERE c.id = ?`,
    args: [id],
  });
  const r = res.rows[0];
  if (!r) return null;
  return {
    workspaceId: Number(r.workspace_id),
    campaignId: r.campaign_id as string,
    contactId: r.contact_id as string,
    email: r.email as string,
    status: r.status as ContactStatus,
    sendId: (r.send_id as string | null) ?? null,
    stepId: (r.step_id as string | null) ?? null,
  };
}

export interface UnsubscribeResult {
  target: UnsubscribeTarget;
  /** false when the contact was already unsubscribed (a repeated click). */
  changed: boolean;
  /** whether this call added the workspace suppression (false when it existed). */
  suppressionAdded: boolean;
}

/**
 * Unsubscribes the contact a token names (null for a bad token). `source` says how: `link`
 * (the confirm page's button) or `one_click` (RFC 8058 POST from a mail client).
 */
export async function applyUnsubscribe(
  db: Db,
  secrets: SecretBox,
  token: string,
  opts: { source: 'link' | 'one_click'; now: number },
): Promise<UnsubscribeResult | null> {
  const target = await resolveUnsubscribeToken(db, secrets, token);
  if (!target) return null;
  const { now } = opts;
  const data = { sendId: target.sendId, stepId: target.stepId, source: opts.source };
  // The `contact.unsubscribed` event is written only while the contact is not unsubscribed yet,
  // before the status change in the same batch: exactly one per contact.
  const event: InStatement = eventsSelect(
    {
      id: '?',
      workspaceId: 'c.workspace_id',
      type: '?',
      campaignId: 'c.campaign_id',
      contactId: 'c.id',
      data: `json_patch(json(?), json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email,
              'previousStatus', c.status))`,
      createdAt: '?',
    },
    "FROM contacts c WHERE c.id = ? AND c.status != 'unsubscribed'",
    [newId('event', now), UNSUBSCRIBED_EVENT, JSON.stringify(data), now, target.contactId],
  );
  const change = statusChangeStatements(
    { contactIds: [target.contactId], campaignId: target.campaignId },
    { workspaceId: target.workspaceId, to: 'unsubscribed', reason: 'unsubscribed', data },
    now,
  );
  const results = await db.client.batch([event, ...change], 'write');
  const changed = results[results.length - 1]!.rowsAffected > 0;
  const { added } = await addSuppressions(
    db,
    target.workspaceId,
    { emails: [target.email], reason: 'unsubscribed' },
    now,
  );
  return { target: { ...target, status: 'unsubscribed' }, changed, suppressionAdded: added > 0 };
}
