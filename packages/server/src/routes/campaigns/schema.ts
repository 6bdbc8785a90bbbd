import { z } from '@hono/zod-openapi';
import { type CampaignRow, iso } from '@outreach/shared';
import { Timestamp } from '../../lib/schemas';

export const Priority = z.enum(['HIGH', 'MEDIUM', 'LOW']).openapi({ example: 'HIGH' });
export const CampaignStatus = z.enum(['draft', 'active', 'paused', 'completed', 'errored']);

export const ScheduleSchema = z
  .object({
    timezone: z.string().openapi({ example: 'America/New_York' }),
    weekdays: z
      .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
      .openapi({ example: ['mon', 'tue', 'wed', 'thu', 'fri'] }),
    windows: z
      .array(
        z.object({
          start: z.string().openapi({ example: '09:00' }),
          end: z.string().openapi({ example: '12:00' }),
        }),
      )
      .openapi({
        example: [
          { start: '09:00', end: '12:00' },
          { start: '14:00', end: '17:00' },
        ],
      }),
  })
  .openapi('Schedule');

export const StopRulesSchema = z
  .object({
    stopOnReply: z.boolean(),
    stopOnUnsub: z.boolean(),
    stopOnBounce: z.boolean(),
    stopOnAutoReply: z.boolean(),
    stopOnCompanyReply: z.boolean(),
  })
  .openapi('StopRules');

export const CampaignSchema = z
  .object({
    id: z.string().openapi({ example: 'cmp_abc123' }),
    workspaceId: z.number().int().openapi({ example: 42 }),
    name: z.string().openapi({ example: 'Q1 SaaS Outreach' }),
    priority: Priority,
    status: CampaignStatus.openapi({ example: 'draft' }),
    schedule: ScheduleSchema.nullable(),
    stopRules: StopRulesSchema,
    routingPolicy: z
      .object({
        rules: z.array(
          z.object({
            trigger: z.literal('reply_intent'),
            value: z.string().openapi({ example: 'interested' }),
            subsequenceId: z.string().openapi({ example: 'sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
          }),
        ),
      })
      .nullable()
      .openapi({ description: 'reply-intent rules into subsequences (PATCH …/subsequence-routing)' }),
    launchedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Campaign');

export const CreateCampaignBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Q1 SaaS Outreach' }),
    priority: Priority.optional().openapi({
      description: 'Which campaign gets a shared mailbox first; default MEDIUM',
    }),
  })
  .openapi('CreateCampaign');

export const UpdateCampaignBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    priority: Priority.optional(),
  })
  .openapi('UpdateCampaign');

export const CampaignIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'cmp_abc123' }),
});

export function toCampaign(c: CampaignRow): z.infer<typeof CampaignSchema> {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    name: c.name,
    priority: c.priority,
    status: c.status,
    schedule: c.schedule,
    stopRules: c.stopRules,
    routingPolicy: c.routingPolicy,
    launchedAt: iso(c.launchedAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
