import { createRoute, type z } from '@hono/zod-openapi';
import { listCampaigns } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { CampaignSchema, CampaignStatus, toCampaign } from './schema';

export const listCampaignsRoute = createRoute({
  method: 'get',
  path: '/campaigns',
  operationId: 'campaigns.list',
  tags: ['Campaigns'],
  summary: 'List campaigns, oldest first',
  request: {
    query: PageQuery.extend({
      status: CampaignStatus.optional().openapi({ param: { name: 'status', in: 'query' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of campaigns',
      content: { 'application/json': { schema: listOf(CampaignSchema, 'CampaignList') } },
    },
    ...errorResponses,
  },
});

export function registerListCampaigns(app: App): void {
  app.openapi(listCampaignsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listCampaigns(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      after: decodeCursor(q.cursor),
      status: q.status,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toCampaign),
      200,
    );
  });
}

export type ListCampaignsQuery = z.infer<typeof PageQuery>;
