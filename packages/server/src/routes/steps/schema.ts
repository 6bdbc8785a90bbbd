import { z } from '@hono/zod-openapi';
import { MAX_DELAY_SECONDS, MAX_VARIANTS, type StepRow } from '@outreach/shared';
import { customJsonField, pathId } from '../../lib/schemas';

const TEMPLATE_MAX = 200_000;
const SUBJECT_MAX = 1_000;

export const VariantSchema = z
  .object({
    id: z.string().openapi({ example: 'var_01jq5v3c2t8x9k4m6n7p8r9s0w' }),
    subject: z.string().nullable().openapi({ description: 'null: the step’s subject' }),
    bodyHtml: z.string().nullable().openapi({ description: 'null: the step’s bodyHtml' }),
    bodyText: z.string().nullable().openapi({ description: 'null: derived as for the step' }),
    weight: z.number().int(),
  })
  .openapi('Variant');

export const StepSchema = z
  .object({
    id: z.string().openapi({ example: 'stp_001' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    subsequenceId: z
      .string()
      .nullable()
      .openapi({ description: 'null: a step of the main sequence', example: null }),
    order: z.number().int().openapi({ example: 1 }),
    subject: z.string().openapi({ example: 'Quick question about {{company}}' }),
    bodyHtml: z.string().openapi({ example: '<p>Hi {{firstName}},</p>' }),
    bodyText: z.string().nullable().openapi({ description: 'null: derived from bodyHtml when sending' }),
    delaySeconds: z.number().int().openapi({ example: 0 }),
    variants: z.array(VariantSchema),
  })
  .openapi('Step');

const VariantInput = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'On PATCH: keep this existing variant (its id)' }),
    subject: z.string().max(SUBJECT_MAX).nullable().optional(),
    bodyHtml: z.string().max(TEMPLATE_MAX).nullable().optional(),
    bodyText: z.string().max(TEMPLATE_MAX).nullable().optional(),
    weight: z.number().int().min(0).max(1000).openapi({ example: 50 }),
  })
  .openapi('VariantInput');

const stepFields = {
  order: z.number().int().min(1).max(10_000).openapi({ example: 1 }),
  subject: z.string().max(SUBJECT_MAX).openapi({
    example: 'Quick question about {{company}}',
    description: 'Mustache; required unless every variant has its own',
  }),
  bodyHtml: z.string().max(TEMPLATE_MAX).openapi({
    example: '<p>Hi {{firstName}},</p>',
    description: 'Mustache, values HTML-escaped; required unless every variant has its own',
  }),
  bodyText: z
    .string()
    .max(TEMPLATE_MAX)
    .nullable()
    .openapi({ description: 'absent/null: derived from bodyHtml' }),
  delayDays: z
    .number()
    .min(0)
    .max(MAX_DELAY_SECONDS / 86_400)
    .openapi({
      example: 3,
      description: 'Stored as delaySeconds; give this or delaySeconds',
    }),
  delaySeconds: z.number().int().min(0).max(MAX_DELAY_SECONDS).openapi({ example: 259200 }),
  variants: z
    .array(VariantInput)
    .max(MAX_VARIANTS)
    .openapi({ description: 'A/B/n variants drawn by weight' }),
};

export const CreateStepBody = z
  .object({
    order: stepFields.order,
    subject: stepFields.subject.optional(),
    bodyHtml: stepFields.bodyHtml.optional(),
    bodyText: stepFields.bodyText.optional(),
    delayDays: stepFields.delayDays.optional(),
    delaySeconds: stepFields.delaySeconds.optional(),
    variants: stepFields.variants.optional(),
  })
  .openapi('CreateStep');

export const UpdateStepBody = z
  .object({
    order: stepFields.order.optional(),
    subject: stepFields.subject.optional(),
    bodyHtml: stepFields.bodyHtml.optional(),
    bodyText: stepFields.bodyText.optional(),
    delayDays: stepFields.delayDays.optional(),
    delaySeconds: stepFields.delaySeconds.optional(),
    variants: stepFields.variants
      .optional()
      .openapi({ description: 'Replaces the list; items with an `id` keep that variant' }),
  })
  .openapi('UpdateStep');

export const StepIdParam = z.object({ stepId: pathId('stepId', 'stp', 'stp_001') });

export const PreviewBody = z
  .object({
    step: z.object({
      subject: z.string().max(SUBJECT_MAX),
      bodyHtml: z.string().max(TEMPLATE_MAX),
      bodyText: z.string().max(TEMPLATE_MAX).nullable().optional(),
    }),
    contact: z
      .object({
        email: z.string().nullable().optional(),
        firstName: z.string().nullable().optional(),
        lastName: z.string().nullable().optional(),
        company: z.string().nullable().optional(),
        title: z.string().nullable().optional(),
        customJson: customJsonField().nullable().optional(),
      })
      .catchall(z.unknown())
      .openapi({
        description: 'Any other key is a custom field',
        example: { firstName: 'Sarah', lastName: 'Chen', company: 'Acme Corp', email: 'sarah@acme.com' },
      }),
    sender: z
      .object({
        firstName: z.string().nullable().optional(),
        lastName: z.string().nullable().optional(),
        email: z.string().nullable().optional(),
        signatureHtml: z.string().nullable().optional(),
      })
      .optional(),
  })
  .openapi('StepPreviewRequest');

export const PreviewSchema = z
  .object({
    subject: z.string().openapi({ example: 'Quick question about Acme Corp' }),
    bodyHtml: z
      .string()
      .openapi({ example: '<p>Hi Sarah,</p><p>I noticed Acme Corp is growing fast...</p>' }),
    bodyText: z.string(),
    missingVariables: z.array(z.string()).openapi({ description: 'Variables with no value and no fallback' }),
  })
  .openapi('StepPreview');

export function toStep(s: StepRow): z.infer<typeof StepSchema> {
  return {
    id: s.id,
    campaignId: s.campaignId,
    subsequenceId: s.subsequenceId,
    order: s.order,
    subject: s.subject,
    bodyHtml: s.bodyHtml,
    bodyText: s.bodyText,
    delaySeconds: s.delaySeconds,
    variants: s.variants.map((v) => ({
      id: v.id,
      subject: v.subject,
      bodyHtml: v.bodyHtml,
      bodyText: v.bodyText,
      weight: v.weight,
    })),
  };
}
