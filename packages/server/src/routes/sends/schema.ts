import { z } from '@hono/zod-openapi';
import { iso, SEND_STATUSES, type Send } from '@outreach/shared';
import { Timestamp } from '../../lib/schemas';

export const SendStatusSchema = z.enum(SEND_STATUSES).openapi('SendStatus', { example: 'sent' });

export const SendSchema = z
  .object({
    id: z.string().openapi({ example: 'snd_001' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    contactId: z.string().openapi({ example: 'cnt_001' }),
    stepId: z.string().openapi({ example: 'stp_001' }),
    subsequenceId: z
      .string()
      .nullable()
      .openapi({ example: null, description: "the subsequence of the send's step; null: the main sequence" }),
    variantId: z
      .string()
      .nullable()
      .openapi({ example: null, description: 'the A/B variant sent; null when the step has none' }),
    mailboxId: z.string().openapi({ example: 'mbx_501' }),
    to: z.string().openapi({ example: 'sarah@acme.com' }),
    status: SendStatusSchema,
    attempts: z.number().int().openapi({ example: 1, description: 'SMTP attempts made' }),
    scheduledAt: Timestamp.openapi({ description: 'when the send was claimed for delivery' }),
    sentAt: Timestamp.nullable(),
    messageId: z
      .string()
      .openapi({ example: '<snd_001@cooloutreach.com>', description: 'our Message-ID header' }),
    error: z.string().nullable().openapi({
      description:
        'the last SMTP error, if any; `interrupted` (status `failed`): the message was handed to SMTP but its answer was never recorded, so it may have been delivered (never resent)',
    }),
  })
  .openapi('Send');

export function toSend(s: Send): z.infer<typeof SendSchema> {
  return {
    id: s.id,
    campaignId: s.campaignId,
    contactId: s.contactId,
    stepId: s.stepId,
    subsequenceId: s.subsequenceId,
    variantId: s.variantId,
    mailboxId: s.mailboxId,
    to: s.to,
    status: s.status,
    attempts: s.attempts,
    scheduledAt: iso(s.scheduledAt),
    sentAt: iso(s.sentAt),
    messageId: s.messageId,
    error: s.error,
  };
}

export const CampaignParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'cmp_abc123' }),
});
