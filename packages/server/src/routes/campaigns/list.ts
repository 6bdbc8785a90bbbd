import { createRoute, type z } from '@hono/zod-openapi';
import { campaignsPageJson } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { CampaignSchema, CampaignStatus } from './schema';

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
    // JSON text built by SQLite in `toCampaign`'s shape (campaigns-page.ts)
    const body = await campaignsPageJson(
      c.get('deps').db,
      c.get('workspaceId'),
      { limit: q.limit, after: decodeCursor(q.cursor), status: q.status },
      encodeCursor,
    );
    return c.body(body, 200, { 'content-type': 'application/json' }) as never;
  });
}

export type ListCampaignsQuery = z.infer<typeof PageQuery>;
