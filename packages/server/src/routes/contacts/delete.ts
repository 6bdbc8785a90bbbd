import { createRoute } from '@hono/zod-openapi';
import { deleteContact } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ContactParams } from './schema';

export const deleteContactRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/contacts/{contactId}',
  operationId: 'contacts.delete',
  tags: ['Contacts'],
  summary: 'Delete a contact (its waiting sends are canceled)',
  request: { params: ContactParams, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteContact(app: App): void {
  app.openapi(deleteContactRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const p = c.req.valid('param');
    await deleteContact(db, c.get('workspaceId'), p.id, p.contactId, clock.now());
    return c.body(null, 204);
  });
}
