import { createRoute } from '@hono/zod-openapi';
import { getMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { MailboxIdParam, MailboxSchema, toMailbox } from './schema';

export const getMailboxRoute = createRoute({
  method: 'get',
  path: '/mailboxes/{id}',
  operationId: 'mailboxes.get',
  tags: ['Mailboxes'],
  summary: 'Get a mailbox (never its passwords)',
  request: { params: MailboxIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'The mailbox', content: { 'application/json': { schema: MailboxSchema } } },
    ...errorResponses,
  },
});

export function registerGetMailbox(app: App): void {
  app.openapi(getMailboxRoute, async (c) => {
    const row = await getMailbox(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json(toMailbox(row), 200);
  });
}
