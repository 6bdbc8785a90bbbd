import { createRoute } from '@hono/zod-openapi';
import { updateCampaign } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam, CampaignSchema, toCampaign, UpdateCampaignBody } from './schema';

export const updateCampaignRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}',
  operationId: 'campaigns.update',
  tags: ['Campaigns'],
  summary: 'Rename a campaign or change its priority',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateCampaignBody } } },
  },
  responses: {
    200: { description: 'The updated campaign', content: { 'application/json': { schema: CampaignSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateCampaign(app: App): void {
  app.openapi(updateCampaignRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await updateCampaign(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toCampaign(row), 200);
  });
}
