import { createRoute, z } from '@hono/zod-openapi';
import { getCampaign, listSends } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { CampaignParam, SendSchema, SendStatusSchema, toSend } from './schema';

export const listSendsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/sends',
  operationId: 'sends.list',
  tags: ['Analytics'],
  summary: "List a campaign's sends, oldest first",
  description:
    'One row per (contact, step) message, with its delivery status. Filter by `status` and/or `contactId`.',
  request: {
    params: CampaignParam,
    query: PageQuery.extend({
      status: SendStatusSchema.optional().openapi({ param: { name: 'status', in: 'query' } }),
      contactId: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .openapi({ param: { name: 'contactId', in: 'query' }, example: 'cnt_001' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of sends',
      content: { 'application/json': { schema: listOf(SendSchema, 'SendList') } },
    },
    ...errorResponses,
  },
});

export function registerListSends(app: App): void {
  app.openapi(listSendsRoute, async (c) => {
    const { db } = c.get('deps');
    const q = c.req.valid('query');
    const campaign = await getCampaign(db, c.get('workspaceId'), c.req.valid('param').id);
    const rows = await listSends(db, campaign.workspaceId, campaign.id, {
      limit: q.limit,
      after: decodeCursor(q.cursor),
      status: q.status,
      contactId: q.contactId,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toSend),
      200,
    );
  });
}
