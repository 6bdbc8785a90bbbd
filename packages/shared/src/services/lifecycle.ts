/**
 * The one way a campaign's status changes (API.md, "Launch and lifecycle"): the user's pause and
 * resume, launch (`launch`, sets `launchedAt`) and the sending engine's `complete` / `error` all
 * call {@link changeCampaignStatus}, so every move follows `domain/lifecycle.ts` and writes its
 * `campaign.<verb>` event in the same batch.
 *
 * The UPDATE is conditional on the status the move was computed from: of two concurrent calls
 * only one can win; the other re-reads and answers 409 `invalid_transition` (or succeeds if the
 * move is still allowed from the new status, e.g. a relaunch).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaigns } from '../db/schema/index';
import { allowedActions, type CampaignStatus, type LifecycleAction, transition } from '../domain/lifecycle';
import { AppError } from '../errors';
import { eventInsertIfChanged } from '../events';
import { type CampaignRow, getCampaign } from './campaigns';

/** The event each action writes. */
export const LIFECYCLE_EVENTS: Record<LifecycleAction, string> = {
  launch: 'campaign.launched',
  pause: 'campaign.paused',
  resume: 'campaign.resumed',
  complete: 'campaign.completed',
  error: 'campaign.errored',
};

export interface StatusChangeExtra {
  /** written as given (launch passes the first launch's time). */
  launchedAt?: number;
  /** merged into the event's data (e.g. `{limit, enrolled}`, `{reason}`). */
  data?: Record<string, unknown>;
}

/** 409 `invalid_transition`, naming the actions a user may take from `status`. */
export function invalidTransition(id: string, status: CampaignStatus, action: LifecycleAction): AppError {
  const allowed = allowedActions(status, { userOnly: true });
  const hint =
    allowed.length > 0 ? `allowed actions: ${allowed.join(', ')}` : 'no action is allowed from this status';
  return new AppError('invalid_transition', `Cannot ${action} campaign ${id}: it is ${status}; ${hint}`, {
    currentStatus: status,
    allowedActions: allowed,
  });
}

const MAX_ATTEMPTS = 3;

/**
 * Applies `action` to the campaign (404 for another workspace's) and returns the updated row.
 * Refused moves → 409 `invalid_transition` with `allowedActions`.
 */
export async function changeCampaignStatus(
  db: Db,
  workspaceId: number,
  id: string,
  action: LifecycleAction,
  now: number,
  extra: StatusChangeExtra = {},
): Promise<CampaignRow> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await getCampaign(db, workspaceId, id);
    const result = transition(current.status, action);
    if (!result.ok) throw invalidTransition(id, current.status, action);
    const set: Partial<CampaignRow> = { status: result.to, updatedAt: now };
    if (extra.launchedAt !== undefined) set.launchedAt = extra.launchedAt;
    const [update] = await db.orm.batch([
      db.orm
        .update(campaigns)
        .set(set)
        .where(
          and(
            eq(campaigns.id, id),
            eq(campaigns.workspaceId, workspaceId),
            eq(campaigns.status, current.status),
          ),
        ),
      eventInsertIfChanged(
        db.orm,
        {
          workspaceId,
          type: LIFECYCLE_EVENTS[action],
          campaignId: id,
          data: { action, from: current.status, to: result.to, ...(extra.data ?? {}) },
        },
        now,
      ),
    ]);
    if (update.rowsAffected > 0) return { ...current, ...set };
    // Someone else moved it first: decide again from the status it has now.
  }
  const latest = await getCampaign(db, workspaceId, id);
  throw invalidTransition(id, latest.status, action);
}
