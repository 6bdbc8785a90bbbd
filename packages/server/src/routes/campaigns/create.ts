import { createRoute } from '@hono/zod-openapi';
import { createCampaign } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignSchema, CreateCampaignBody, toCampaign } from './schema';

export const createCampaignRoute = createRoute({
  method: 'post',
  path: '/campaigns',
  operationId: 'campaigns.create',
  tags: ['Campaigns'],
  summary: 'Create a campaign',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateCampaignBody } } },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: CampaignSchema } } },
    ...errorResponses,
  },
});

export function registerCreateCampaign(app: App): void {
  app.openapi(createCampaignRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await createCampaign(db, c.get('workspaceId'), c.req.valid('json'), clock.now());
    return c.json(toCampaign(row), 201);
  });
}
