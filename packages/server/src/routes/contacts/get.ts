import { createRoute } from '@hono/zod-openapi';
import { getContact } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ContactParams, ContactSchema, toContact } from './schema';

export const getContactRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/contacts/{contactId}',
  operationId: 'contacts.get',
  tags: ['Contacts'],
  summary: 'Get one contact',
  request: { params: ContactParams, query: WorkspaceQuery },
  responses: {
    200: { description: 'The contact', content: { 'application/json': { schema: ContactSchema } } },
    ...errorResponses,
  },
});

export function registerGetContact(app: App): void {
  app.openapi(getContactRoute, async (c) => {
    const p = c.req.valid('param');
    const row = await getContact(c.get('deps').db, c.get('workspaceId'), p.id, p.contactId);
    return c.json(toContact(row), 200);
  });
}
