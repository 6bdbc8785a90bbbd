import { createRoute, z } from '@hono/zod-openapi';
import { lifecycleDescription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignStatus } from '../campaigns/schema';

const LifecycleActionName = z.enum(['launch', 'pause', 'resume', 'complete', 'error']);

export const LifecycleDescription = z
  .object({
    states: z.array(CampaignStatus),
    transitions: z.array(z.object({ from: CampaignStatus, action: LifecycleActionName, to: CampaignStatus })),
  })
  .openapi('LifecycleDescription');

export const describeLifecycleRoute = createRoute({
  method: 'get',
  path: '/campaigns/lifecycle',
  operationId: 'lifecycle.describe',
  tags: ['Launch and lifecycle'],
  summary: 'The campaign states and the transitions between them',
  description:
    '`launch` is `POST /campaigns/{id}/launch`; `pause`/`resume` are `POST /campaigns/{id}/lifecycle`; `complete` and `error` are taken by the system.',
  request: { query: WorkspaceQuery },
  responses: {
    200: {
      description: 'States and transitions',
      content: { 'application/json': { schema: LifecycleDescription } },
    },
    ...errorResponses,
  },
});

export function registerDescribeLifecycle(app: App): void {
  app.openapi(describeLifecycleRoute, (c) => c.json(lifecycleDescription(), 200));
}
