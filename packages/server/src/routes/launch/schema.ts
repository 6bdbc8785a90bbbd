import { z } from '@hono/zod-openapi';
import { iso, type LaunchJob } from '@outreach/shared';
import { pathId, Timestamp, WorkspaceQuery } from '../../lib/schemas';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const LaunchQuery = WorkspaceQuery.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description:
        'Max contacts enrolled in the campaign, all launches together (gradual rollout); absent = every pending contact',
      example: 100,
    }),
  async: bool.optional().openapi({
    param: { name: 'async', in: 'query' },
    description: 'true: answer 202 at once with a launch job (default false)',
    example: 'false',
  }),
});

export const LaunchedSchema = z
  .object({
    ok: z.literal(true),
    status: z.literal('launched'),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    enrolled: z.number().int().openapi({ description: 'contacts enrolled by this launch' }),
  })
  .openapi('Launched');

export const LaunchQueuedSchema = z
  .object({
    ok: z.literal(true),
    jobId: z.string().openapi({ example: 'job_launch_001' }),
    status: z.literal('queued'),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    createdAt: Timestamp,
  })
  .openapi('LaunchQueued');

export const LaunchJobSchema = z
  .object({
    jobId: z.string().openapi({ example: 'job_launch_001' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    enrolled: z.number().int(),
    limit: z.number().int().nullable(),
    error: z.string().optional(),
    createdAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .openapi('LaunchJob');

export const LaunchJobParams = z.object({
  id: pathId('id', 'cmp', 'cmp_abc123'),
  jobId: pathId('jobId', 'job', 'job_launch_001'),
});

export function toLaunchJob(j: LaunchJob): z.infer<typeof LaunchJobSchema> {
  return {
    jobId: j.jobId,
    campaignId: j.campaignId,
    status: j.status,
    enrolled: j.enrolled,
    limit: j.limit,
    ...(j.error ? { error: j.error } : {}),
    createdAt: iso(j.createdAt),
    finishedAt: iso(j.finishedAt),
  };
}
