import { createRoute } from '@hono/zod-openapi';
import { contactsPageJson } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { CampaignParam, ContactSchema, ContactStatusSchema } from './schema';

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
    const q = c.req.valid('query');
    // the page comes back as JSON text built by SQLite in `toContact`'s shape (contacts-page.ts)
    const body = await contactsPageJson(
      c.get('deps').db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      { limit: q.limit, after: decodeCursor(q.cursor), status: q.status },
      encodeCursor,
    );
    return c.body(body, 200, { 'content-type': 'application/json' }) as never;
  });
}
