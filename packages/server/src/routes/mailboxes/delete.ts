import { createRoute } from '@hono/zod-openapi';
import { deleteMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { MailboxIdParam } from './schema';

export const deleteMailboxRoute = createRoute({
  method: 'delete',
  path: '/mailboxes/{id}',
  operationId: 'mailboxes.delete',
  tags: ['Mailboxes'],
  summary: 'Delete a mailbox that no campaign uses (409 naming the campaigns otherwise)',
  request: { params: MailboxIdParam, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteMailbox(app: App): void {
  app.openapi(deleteMailboxRoute, async (c) => {
    const { db, clock } = c.get('deps');
    await deleteMailbox(db, c.get('workspaceId'), c.req.valid('param').id, clock.now());
    return c.body(null, 204);
  });
}
