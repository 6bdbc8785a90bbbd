import { createRoute } from '@hono/zod-openapi';
import { getCampaign, listContacts } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { CampaignParam, ContactSchema, ContactStatusSchema, toContact } from './schema';

export const listContactsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/contacts',
  operationId: 'contacts.list',
  tags: ['Contacts'],
  summary: "List a campaign's contacts, oldest first",
  request: {
    params: CampaignParam,
    query: PageQuery.extend({
      status: ContactStatusSchema.optional().openapi({ param: { name: 'status', in: 'query' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of contacts',
      content: { 'application/json': { schema: listOf(ContactSchema, 'ContactList') } },
    },
    ...errorResponses,
  },
});

export function registerListContacts(app: App): void {
  app.openapi(listContactsRoute, async (c) => {
    const { db } = c.get('deps');
    const q = c.req.valid('query');
    const campaign = await getCampaign(db, c.get('workspaceId'), c.req.valid('param').id);
    const rows = await listContacts(db, campaign.workspaceId, campaign.id, {
      limit: q.limit,
      after: decodeCursor(q.cursor),
      status: q.status,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toContact),
      200,
    );
  });
}
