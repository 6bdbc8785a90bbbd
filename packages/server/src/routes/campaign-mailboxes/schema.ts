import { z } from '@hono/zod-openapi';
import { type CampaignMailboxWithAddress, iso, CAMPAIGN_MAILBOX_RANGES as R } from '@outreach/shared';
import { pathId, Timestamp } from '../../lib/schemas';

const int = (range: readonly [number, number]) => z.number().int().min(range[0]).max(range[1]);

export const CampaignMailboxState = z.enum(['active', 'paused']);

export const CampaignMailboxSchema = z
  .object({
    id: z.string().openapi({ example: 'cmb_001' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    mailboxId: z.string().openapi({ example: 'mbx_501' }),
    mailboxAddress: z.string().openapi({ example: 'john@cooloutreach.com' }),
    weight: z.number().int().openapi({ example: 100 }),
    state: CampaignMailboxState,
    dailyLimit: z.number().int().openapi({ example: 30 }),
    gapBaseSeconds: z.number().int().openapi({ example: 120 }),
    gapJitterSeconds: z.number().int().openapi({ example: 60 }),
    createdAt: Timestamp,
  })
  .openapi('CampaignMailbox');

export const AttachMailboxBody = z
  .object({
    mailboxAddress: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .openapi({ description: 'Email address of a registered mailbox', example: 'john@cooloutreach.com' }),
    dailyLimit: int(R.dailyLimit).openapi({
      description: 'Max emails per day from this mailbox for this campaign (1-5000)',
      example: 30,
    }),
    weight: int(R.weight).openapi({
      description: 'Sending weight relative to other mailboxes (1-1000)',
      example: 100,
    }),
    gapBaseSeconds: int(R.gapBaseSeconds)
      .optional()
      .openapi({ description: 'Min seconds between sends (0-86400), default 120' }),
    gapJitterSeconds: int(R.gapJitterSeconds)
      .optional()
      .openapi({ description: 'Random jitter added to the gap (0-86400), default 60' }),
  })
  .openapi('AttachMailbox');

export const UpdateCampaignMailboxBody = z
  .object({
    dailyLimit: int(R.dailyLimit).optional(),
    weight: int(R.weight).optional(),
    gapBaseSeconds: int(R.gapBaseSeconds).optional(),
    gapJitterSeconds: int(R.gapJitterSeconds).optional(),
    state: CampaignMailboxState.optional(),
  })
  .openapi('UpdateCampaignMailbox');

export const CampaignMailboxParams = z.object({
  id: pathId('id', 'cmp', 'cmp_abc123'),
  cmbId: pathId('cmbId', 'cmb', 'cmb_001'),
});

export function toCampaignMailbox(r: CampaignMailboxWithAddress): z.infer<typeof CampaignMailboxSchema> {
  return {
    id: r.id,
    campaignId: r.campaignId,
    mailboxId: r.mailboxId,
    mailboxAddress: r.mailboxAddress,
    weight: r.weight,
    state: r.state,
    dailyLimit: r.dailyLimit,
    gapBaseSeconds: r.gapBaseSeconds,
    gapJitterSeconds: r.gapJitterSeconds,
    createdAt: iso(r.createdAt),
  };
}
