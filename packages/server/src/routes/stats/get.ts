import { createRoute } from '@hono/zod-openapi';
import { campaignStats } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignParam } from '../sends/schema';
import { CampaignStatsSchema } from './schema';

export const getStatsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/stats',
  operationId: 'campaigns.stats',
  tags: ['Analytics'],
  summary: "A campaign's counts: contacts by status, sends by outcome, per step and variant",
  request: { params: CampaignParam, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'The campaign stats',
      content: { 'application/json': { schema: CampaignStatsSchema } },
    },
    ...errorResponses,
  },
});

export function registerGetStats(app: App): void {
  app.openapi(getStatsRoute, async (c) => {
    const stats = await campaignStats(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json(stats, 200);
  });
}
