import { z } from '@hono/zod-openapi';

const count = z.number().int();

export const VariantStatsSchema = z
  .object({
    variantId: z.string().openapi({ example: 'var_001' }),
    sent: count,
    replied: count,
    bounced: count,
  })
  .openapi('VariantStats');

export const StepStatsSchema = z
  .object({
    stepId: z.string().openapi({ example: 'stp_001' }),
    order: count.openapi({ example: 1 }),
    subsequenceId: z.string().nullable().openapi({ description: 'null for the main sequence' }),
    sent: count,
    replied: count,
    bounced: count,
    variants: z.array(VariantStatsSchema),
  })
  .openapi('StepStats');

export const SubsequenceStatsSchema = z
  .object({
    subsequenceId: z.string().openapi({ example: 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
    enrolled: count.openapi({ description: 'contacts that entered it' }),
    sent: count.openapi({ description: 'messages of its steps delivered to SMTP' }),
    replied: count.openapi({ description: 'messages of its steps that got a reply' }),
    completed: count.openapi({ description: 'contacts that received its every step' }),
  })
  .openapi('SubsequenceStats');

export const CampaignStatsSchema = z
  .object({
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    status: z.enum(['draft', 'active', 'paused', 'completed', 'errored']).openapi({ example: 'active' }),
    contacts: z
      .object({
        total: count.openapi({ example: 500 }),
        active: count.openapi({ example: 200 }),
        completed: count.openapi({ example: 150 }),
        replied: count.openapi({ example: 45 }),
        bounced: count.openapi({ example: 5 }),
        pending: count,
        unsubscribed: count,
        suppressed: count,
        failed: count,
      })
      .openapi({ description: 'contacts by status; `total` is all of them' }),
    sends: z
      .object({
        total: count.openapi({ example: 800, description: 'every send row, whatever its status' }),
        sent: count.openapi({ example: 750, description: 'delivered to SMTP (status `sent` or `replied`)' }),
        failed: count.openapi({ example: 10, description: 'status `failed`, except the interrupted ones' }),
        bounced: count.openapi({ example: 20 }),
        replied: count.openapi({ example: 45 }),
        interrupted: count.openapi({
          example: 1,
          description:
            '(ext) status `failed` with error `interrupted`: a worker stopped after handing the message to SMTP and before the answer was recorded, so it may have been delivered; never resent',
        }),
      })
      .openapi({ description: 'send rows by outcome' }),
    steps: z
      .array(StepStatsSchema)
      .openapi({ description: '(ext) per step and per variant; main sequence first, by order' }),
    subsequences: z
      .array(SubsequenceStatsSchema)
      .openapi({ description: '(ext) per subsequence, oldest first' }),
  })
  .openapi('CampaignStats');
