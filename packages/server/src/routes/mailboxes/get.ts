import { createRoute } from '@hono/zod-openapi';
import { getMailbox, inboxStates, NEVER_READ } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { MailboxIdParam, MailboxSchema, toInboxState, toMailbox } from './schema';

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
    const { db } = c.get('deps');
    const row = await getMailbox(db, c.get('workspaceId'), c.req.valid('param').id);
    const inbox = (await inboxStates(db, [row.id])).get(row.id) ?? NEVER_READ;
    return c.json({ ...toMailbox(row), inbox: toInboxState(inbox) }, 200);
  });
}
