import { z } from '@hono/zod-openapi';
import { iso, type Suppression } from '@outreach/shared';
import { Timestamp } from '../../lib/schemas';

export const AddSuppressionsBody = z
  .object({
    emails: z
      .array(z.string().max(320))
      .max(10_000)
      .optional()
      .openapi({ example: ['do-not-email@company.com', 'unsubscribed@example.com'] }),
    domains: z
      .array(z.string().max(253))
      .max(10_000)
      .optional()
      .openapi({ description: '(ext) whole domains', example: ['competitor.com'] }),
    reason: z.string().trim().min(1).max(200).openapi({ example: 'manual_suppression' }),
  })
  .openapi('AddSuppressions');

export const AddSuppressionsResult = z
  .object({
    added: z.number().int().openapi({ example: 2 }),
    alreadySuppressed: z.number().int().openapi({ example: 0 }),
    contactsSuppressed: z
      .number()
      .int()
      .openapi({ description: '(ext) contacts in this workspace’s campaigns now `suppressed`' }),
  })
  .openapi('AddSuppressionsResult');

export const SuppressionStatusSchema = z
  .object({
    email: z.string().openapi({ example: 'someone@company.com' }),
    suppressed: z.boolean(),
    reason: z.string().nullable(),
    source: z.enum(['email', 'domain']).nullable(),
    createdAt: Timestamp.nullable(),
  })
  .openapi('SuppressionStatus');

export const SuppressionSchema = z
  .object({
    id: z.string().openapi({ example: 'sup_01' }),
    kind: z.enum(['email', 'domain']),
    email: z.string().nullable().openapi({ description: 'the address (kind email)' }),
    domain: z.string().nullable().openapi({ description: 'the domain (kind domain)' }),
    reason: z.string(),
    createdAt: Timestamp,
  })
  .openapi('Suppression');

export function toSuppression(s: Suppression): z.infer<typeof SuppressionSchema> {
  return {
    id: s.id,
    kind: s.kind,
    email: s.kind === 'email' ? s.value : null,
    domain: s.kind === 'domain' ? s.value : null,
    reason: s.reason,
    createdAt: iso(s.createdAt),
  };
}
