import { z } from '@hono/zod-openapi';
import { iso, REPLY_INTENTS, type Subsequence } from '@outreach/shared';
import type { RoutingPolicy } from '@outreach/shared/db/schema/campaigns';
import { pathId, Timestamp } from '../../lib/schemas';

export const EnrollmentMode = z.enum(['manual', 'auto']).openapi({
  description:
    '`auto`: a reply whose intent matches a routing rule enters it; `manual`: such a reply only labels the thread',
  example: 'auto',
});

export const SubsequenceSchema = z
  .object({
    id: z.string().openapi({ example: 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    name: z.string().openapi({ example: 'Interested: send pricing' }),
    enrollmentMode: EnrollmentMode,
    status: z.enum(['active']),
    counts: z
      .object({
        enrolled: z.number().int().openapi({ description: 'contacts that entered it, ever' }),
        active: z.number().int().openapi({ description: 'contacts still receiving its steps' }),
        completed: z.number().int().openapi({ description: 'contacts that received its every step' }),
      })
      .openapi({ description: '(ext)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Subsequence');

export const CreateSubsequenceBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Interested: send pricing' }),
    enrollmentMode: EnrollmentMode,
  })
  .openapi('CreateSubsequence');

export const UpdateSubsequenceBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    enrollmentMode: EnrollmentMode.optional(),
  })
  .openapi('UpdateSubsequence');

export const SubsequenceParams = z.object({
  id: pathId('id', 'cmp', 'cmp_abc123'),
  subId: pathId('subId', 'sub', 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3'),
});

export const RoutingRuleSchema = z
  .object({
    trigger: z.literal('reply_intent'),
    value: z.enum(REPLY_INTENTS).openapi({ example: 'interested' }),
    subsequenceId: z.string().openapi({ example: 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
  })
  .openapi('RoutingRule');

export const RoutingPolicySchema = z
  .object({
    rules: z.array(RoutingRuleSchema).openapi({ description: 'checked in order; the first match wins' }),
  })
  .openapi('RoutingPolicy');

/** Loose on input: `value` and `subsequenceId` are checked by the service, which names each bad rule. */
export const SetRoutingBody = z
  .object({
    routingPolicy: z.object({
      rules: z
        .array(
          z.object({
            trigger: z.literal('reply_intent'),
            value: z
              .string()
              .max(100)
              .openapi({ example: 'interested', enum: [...REPLY_INTENTS] }),
            subsequenceId: z.string().min(1).max(100).openapi({ example: 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
          }),
        )
        .max(50),
    }),
  })
  .openapi('SetRouting');

export const EnrollBody = z
  .object({
    contactIds: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(1000)
      .openapi({ example: ['cnt_01j9z3k4m5'] }),
  })
  .openapi('EnrollContacts');

export const EnrollResultSchema = z
  .object({
    enrolled: z.number().int(),
    skipped: z.array(
      z.object({
        contactId: z.string(),
        reason: z.string().openapi({
          description:
            '`already_enrolled`, `in_other_subsequence`, `unsubscribed`, `suppressed`, `bounced`, `failed`, `pending`, `not_found`, `campaign_not_active`',
          example: 'already_enrolled',
        }),
      }),
    ),
  })
  .openapi('EnrollResult');

export function toSubsequence(s: Subsequence): z.infer<typeof SubsequenceSchema> {
  return {
    id: s.id,
    campaignId: s.campaignId,
    name: s.name,
    enrollmentMode: s.enrollmentMode,
    status: s.status,
    counts: s.counts,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export const toRoutingPolicy = (p: RoutingPolicy): z.infer<typeof RoutingPolicySchema> => ({
  rules: p.rules.map((r) => ({
    trigger: r.trigger,
    value: r.value as (typeof REPLY_INTENTS)[number],
    subsequenceId: r.subsequenceId,
  })),
});
