import { z } from '@hono/zod-openapi';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignStatsSchema } from '../stats/schema';

export const ExportKind = z.enum(['summary', 'contacts', 'sends']);

export const ExportQuery = WorkspaceQuery.extend({
  kind: ExportKind.default('summary').openapi({
    param: { name: 'kind', in: 'query' },
    example: 'summary',
    description: '`summary` (JSON), `contacts` or `sends` (streamed CSV with a header row)',
  }),
});

export const SummaryRowSchema = z
  .object({
    stepId: z.string(),
    order: z.number().int(),
    subsequenceId: z.string().nullable(),
    variantId: z.string().nullable().openapi({ description: "null on the step's own row" }),
    sent: z.number().int(),
    replied: z.number().int(),
    bounced: z.number().int(),
    replyRate: z.number().openapi({ description: 'replied / sent (0 when nothing was sent)' }),
    bounceRate: z.number().openapi({ description: 'bounced / (sent + bounced)' }),
  })
  .openapi('ExportSummaryRow');

export const ExportSummarySchema = z
  .object({
    kind: z.literal('summary'),
    campaign: z.object({
      id: z.string(),
      name: z.string(),
      status: z.string(),
      launchedAt: z.string().nullable(),
    }),
    generatedAt: z.string().openapi({ format: 'date-time' }),
    stats: CampaignStatsSchema,
    table: z
      .array(SummaryRowSchema)
      .openapi({ description: 'one row per step, followed by one per variant of that step' }),
  })
  .openapi('ExportSummary');

/** The columns of `kind=sends` (the `Send` object's fields, in order). */
export const SEND_COLUMNS = [
  'id',
  'campaignId',
  'contactId',
  'stepId',
  'variantId',
  'mailboxId',
  'to',
  'status',
  'attempts',
  'scheduledAt',
  'sentAt',
  'messageId',
  'error',
] as const;

/** The fixed columns of `kind=contacts`; every custom field follows as a column of its own. */
export const CONTACT_COLUMNS = [
  'id',
  'email',
  'firstName',
  'lastName',
  'status',
  'currentStep',
  'mailboxId',
  'lastSentAt',
  'createdAt',
  'updatedAt',
] as const;
