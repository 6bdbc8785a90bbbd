import { createRoute } from '@hono/zod-openapi';
import { getCampaign } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam, CampaignSchema, toCampaign } from './schema';

export const getCampaignRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}',
  operationId: 'campaigns.get',
  tags: ['Campaigns'],
  summary: 'Get a campaign with its schedule, stop rules and routing policy',
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'The campaign', content: { 'application/json': { schema: CampaignSchema } } },
    ...errorResponses,
  },
});

export function registerGetCampaign(app: App): void {
  app.openapi(getCampaignRoute, async (c) => {
    const row = await getCampaign(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json(toCampaign(row), 200);
  });
}
