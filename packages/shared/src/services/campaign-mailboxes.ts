/**
 * Campaign mailboxes: a registered mailbox attached to a campaign by its address, with the
 * campaign's own daily limit, rotation weight, gap between sends and state.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaignMailboxes, mailboxes } from '../db/schema/index';
import { AppError } from '../errors';
import { eventInsert } from '../events';
import { newId } from '../ids';
import { getCampaign } from './campaigns';
import { findMailboxByAddress } from './mailboxes';

export type CampaignMailboxRow = typeof campaignMailboxes.$inferSelect;
export type CampaignMailboxState = CampaignMailboxRow['state'];

/** A campaign mailbox with its mailbox's address (for answers and preflight). */
export type CampaignMailboxWithAddress = CampaignMailboxRow & { mailboxAddress: string };

export const CAMPAIGN_MAILBOX_DEFAULTS = { gapBaseSeconds: 120, gapJitterSeconds: 60 } as const;
export const CAMPAIGN_MAILBOX_RANGES = {
  dailyLimit: [1, 5000],
  weight: [1, 1000],
  gapBaseSeconds: [0, 86_400],
  gapJitterSeconds: [0, 86_400],
} as const;

export interface AttachMailboxInput {
  mailboxAddress: string;
  dailyLimit: number;
  weight: number;
  gapBaseSeconds?: number;
  gapJitterSeconds?: number;
}

export interface UpdateCampaignMailboxInput {
  dailyLimit?: number;
  weight?: number;
  gapBaseSeconds?: number;
  gapJitterSeconds?: number;
  state?: CampaignMailboxState;
}

export async function attachMailbox(
  db: Db,
  workspaceId: number,
  campaignId: string,
  input: AttachMailboxInput,
  now: number,
): Promise<CampaignMailboxWithAddress> {
  await getCampaign(db, workspaceId, campaignId);
  const mailbox = await findMailboxByAddress(db, workspaceId, input.mailboxAddress);
  if (!mailbox) {
    throw AppError.validation([
      {
        path: 'mailboxAddress',
        message: `no mailbox ${input.mailboxAddress.trim().toLowerCase()} is registered in this workspace (POST /mailboxes first)`,
      },
    ]);
  }
  const existing = await db.orm.query.campaignMailboxes.findFirst({
    where: and(eq(campaignMailboxes.campaignId, campaignId), eq(campaignMailboxes.mailboxId, mailbox.id)),
  });
  if (existing) {
    throw new AppError(
      'conflict',
      `Mailbox ${mailbox.address} is already attached to campaign ${campaignId} as ${existing.id}`,
      {
        campaignMailboxId: existing.id,
      },
    );
  }
  const row: CampaignMailboxRow = {
    id: newId('campaignMailbox', now),
    campaignId,
    mailboxId: mailbox.id,
    weight: input.weight,
    state: 'active',
    dailyLimit: input.dailyLimit,
    gapBaseSeconds: input.gapBaseSeconds ?? CAMPAIGN_MAILBOX_DEFAULTS.gapBaseSeconds,
    gapJitterSeconds: input.gapJitterSeconds ?? CAMPAIGN_MAILBOX_DEFAULTS.gapJitterSeconds,
    nextAvailableAt: 0,
    assignedContacts: 0,
    createdAt: now,
  };
  await db.orm.batch([
    db.orm.insert(campaignMailboxes).values(row),
    eventInsert(
      db.orm,
      {
        workspaceId,
        type: 'campaign.mailbox_attached',
        campaignId,
        data: { campaignMailboxId: row.id, mailboxId: mailbox.id, address: mailbox.address },
      },
      now,
    ),
  ]);
  return { ...row, mailboxAddress: mailbox.address };
}

/** Every mailbox attached to a campaign, oldest first (a short fixed list). */
export async function listCampaignMailboxes(
  db: Db,
  workspaceId: number,
  campaignId: string,
): Promise<CampaignMailboxWithAddress[]> {
  await getCampaign(db, workspaceId, campaignId);
  return listAttached(db, campaignId);
}

/** Without the workspace check: for callers that already hold the campaign. */
export async function listAttached(db: Db, campaignId: string): Promise<CampaignMailboxWithAddress[]> {
  const rows = await db.orm
    .select({ cmb: campaignMailboxes, address: mailboxes.address })
    .from(campaignMailboxes)
    .innerJoin(mailboxes, eq(mailboxes.id, campaignMailboxes.mailboxId))
    .where(eq(campaignMailboxes.campaignId, campaignId))
    .orderBy(asc(campaignMailboxes.id));
  return rows.map((r) => ({ ...r.cmb, mailboxAddress: r.address }));
}

async function getCampaignMailbox(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
): Promise<CampaignMailboxWithAddress> {
  await getCampaign(db, workspaceId, campaignId);
  const [row] = await db.orm
    .select({ cmb: campaignMailboxes, address: mailboxes.address })
    .from(campaignMailboxes)
    .innerJoin(mailboxes, eq(mailboxes.id, campaignMailboxes.mailboxId))
    .where(and(eq(campaignMailboxes.id, id), eq(campaignMailboxes.campaignId, campaignId)));
  if (!row) throw AppError.notFound('Campaign mailbox', id);
  return { ...row.cmb, mailboxAddress: row.address };
}

export async function updateCampaignMailbox(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  patch: UpdateCampaignMailboxInput,
  now: number,
): Promise<CampaignMailboxWithAddress> {
  const current = await getCampaignMailbox(db, workspaceId, campaignId, id);
  const set = Object.fromEntries(
    Object.entries(patch).filter(([, v]) => v !== undefined),
  ) as UpdateCampaignMailboxInput;
  if (Object.keys(set).length === 0) return current;
  await db.orm.batch([
    db.orm
      .update(campaignMailboxes)
      .set(set)
      .where(and(eq(campaignMailboxes.id, id), eq(campaignMailboxes.campaignId, campaignId))),
    eventInsert(
      db.orm,
      {
        workspaceId,
        type: 'campaign.mailbox_updated',
        campaignId,
        data: { campaignMailboxId: id, mailboxId: current.mailboxId, fields: Object.keys(set) },
      },
      now,
    ),
  ]);
  return { ...current, ...set };
}

/**
 * Detaches a mailbox. Contacts that already got step 1 from it keep it as their sticky sender
 * and wait until it is attached again: to stop a mailbox for a while, PATCH `state: paused`.
 */
export async function detachMailbox(
  db: Db,
  workspaceId: number,
  campaignId: string,
  id: string,
  now: number,
): Promise<void> {
  const current = await getCampaignMailbox(db, workspaceId, campaignId, id);
  await db.orm.batch([
    db.orm
      .delete(campaignMailboxes)
      .where(and(eq(campaignMailboxes.id, id), eq(campaignMailboxes.campaignId, campaignId))),
    eventInsert(
      db.orm,
      {
        workspaceId,
        type: 'campaign.mailbox_detached',
        campaignId,
        data: { campaignMailboxId: id, mailboxId: current.mailboxId, address: current.mailboxAddress },
      },
      now,
    ),
  ]);
}
