import { createRoute } from '@hono/zod-openapi';
import { setRoutingPolicy } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { RoutingPolicySchema, SetRoutingBody, toRoutingPolicy } from './schema';

export const setRoutingRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/subsequence-routing',
  operationId: 'campaigns.setRouting',
  tags: ['Subsequences'],
  summary: 'Set the reply-intent routing into subsequences',
  description:
    'Replaces the rules. Each names one reply intent and a subsequence of this campaign; they are checked in order and the first match wins. An unknown intent, or a subsequence of another campaign or deleted, is a 422 naming the rule.',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: SetRoutingBody } } },
  },
  responses: {
    200: {
      description: 'The stored routing policy',
      content: { 'application/json': { schema: RoutingPolicySchema } },
    },
    ...errorResponses,
  },
});

export function registerSetRouting(app: App): void {
  app.openapi(setRoutingRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const policy = await setRoutingPolicy(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json').routingPolicy,
      clock.now(),
    );
    return c.json(toRoutingPolicy(policy), 200);
  });
}
