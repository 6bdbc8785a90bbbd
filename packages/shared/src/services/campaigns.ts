import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaigns, type Priority, type StopRules, steps } from '../db/schema/index';
import { canDelete } from '../domain/lifecycle';
import { AppError } from '../errors';
import { eventInsert } from '../events';
import { newId } from '../ids';

export type CampaignRow = typeof campaigns.$inferSelect;

export const DEFAULT_STOP_RULES: StopRules = {
  stopOnReply: true,
  stopOnUnsub: true,
  stopOnBounce: true,
  stopOnAutoReply: false,
  stopOnCompanyReply: false,
};

export async function createCampaign(
  db: Db,
  workspaceId: number,
  input: { name: string; priority?: Priority },
  now: number,
): Promise<CampaignRow> {
  const row: CampaignRow = {
    id: newId('campaign', now),
    workspaceId,
    name: input.name,
    priority: input.priority ?? 'MEDIUM',
    status: 'draft',
    schedule: null,
    stopRules: DEFAULT_STOP_RULES,
    routingPolicy: null,
    launchedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.orm.batch([
    db.orm.insert(campaigns).values(row),
    eventInsert(
      db.orm,
      { workspaceId, type: 'campaign.created', campaignId: row.id, data: { name: row.name } },
      now,
    ),
  ]);
  return row;
}

/** A campaign of this workspace, or 404 (another workspace's campaign is not found either). */
export async function getCampaign(db: Db, workspaceId: number, id: string): Promise<CampaignRow> {
  const row = await db.orm.query.campaigns.findFirst({
    where: and(eq(campaigns.id, id), eq(campaigns.workspaceId, workspaceId)),
  });
  if (!row) throw AppError.notFound('Campaign', id);
  return row;
}

export async function updateCampaign(
  db: Db,
  workspaceId: number,
  id: string,
  patch: Partial<Pick<CampaignRow, 'name' | 'priority' | 'schedule' | 'stopRules' | 'routingPolicy'>>,
  now: number,
): Promise<CampaignRow> {
  const current = await getCampaign(db, workspaceId, id);
  const next = { ...current, ...patch, updatedAt: now };
  await db.orm.batch([
    db.orm
      .update(campaigns)
      .set({ ...patch, updatedAt: now })
      .where(and(eq(campaigns.id, id), eq(campaigns.workspaceId, workspaceId))),
    eventInsert(
      db.orm,
      { workspaceId, type: 'campaign.updated', campaignId: id, data: { fields: Object.keys(patch) } },
      now,
    ),
  ]);
  return next;
}

export async function deleteCampaign(db: Db, workspaceId: number, id: string, now: number): Promise<void> {
  const current = await getCampaign(db, workspaceId, id);
  if (!canDelete(current.status)) {
    throw new AppError(
      'invalid_transition',
      `A ${current.status} campaign cannot be deleted; pause it first`,
      {
        allowedActions: current.status === 'active' ? ['pause'] : [],
      },
    );
  }
  await db.orm.batch([
    db.orm.delete(steps).where(eq(steps.campaignId, id)),
    db.orm.delete(campaigns).where(and(eq(campaigns.id, id), eq(campaigns.workspaceId, workspaceId))),
    eventInsert(
      db.orm,
      { workspaceId, type: 'campaign.deleted', campaignId: id, data: { name: current.name } },
      now,
    ),
  ]);
}
