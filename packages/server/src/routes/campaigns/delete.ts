import { createRoute } from '@hono/zod-openapi';
import { deleteCampaign } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from './schema';

export const deleteCampaignRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}',
  operationId: 'campaigns.delete',
  tags: ['Campaigns'],
  summary: 'Delete a draft, paused or completed campaign',
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteCampaign(app: App): void {
  app.openapi(deleteCampaignRoute, async (c) => {
    const { db, clock } = c.get('deps');
    await deleteCampaign(db, c.get('workspaceId'), c.req.valid('param').id, clock.now());
    return c.body(null, 204);
  });
}
