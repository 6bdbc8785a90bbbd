import { createRoute } from '@hono/zod-openapi';
import { updateContact } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ContactParams, ContactSchema, toContact, UpdateContactBody } from './schema';

export const updateContactRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/contacts/{contactId}',
  operationId: 'contacts.update',
  tags: ['Contacts'],
  summary: "Edit a contact's fields, custom fields or status",
  description:
    'The suppression list is the last word: while it holds the address or its domain, a `suppressed` or `unsubscribed` contact keeps its status and no contact can become `pending` or `active` (409 `contact_suppressed`, with `suppression: {source, reason}`); `DELETE /campaigns/suppressions` is the way back (the contact stays as it is until PATCHed again). A `bounced` contact keeps its status unless the same request corrects its email (409 `contact_bounced`).',
  request: {
    params: ContactParams,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateContactBody } } },
  },
  responses: {
    200: { description: 'The updated contact', content: { 'application/json': { schema: ContactSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateContact(app: App): void {
  app.openapi(updateContactRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const p = c.req.valid('param');
    const row = await updateContact(
      db,
      c.get('workspaceId'),
      p.id,
      p.contactId,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toContact(row), 200);
  });
}
