import { createRoute } from '@hono/zod-openapi';
import { updateMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { MailboxIdParam, MailboxSchema, toMailbox, UpdateMailboxBody } from './schema';

export const updateMailboxRoute = createRoute({
  method: 'patch',
  path: '/mailboxes/{id}',
  operationId: 'mailboxes.update',
  tags: ['Mailboxes'],
  summary:
    'Change names, signature, cap or server settings (a settings or password change needs a new verify)',
  request: {
    params: MailboxIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateMailboxBody } } },
  },
  responses: {
    200: { description: 'The updated mailbox', content: { 'application/json': { schema: MailboxSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateMailbox(app: App): void {
  app.openapi(updateMailboxRoute, async (c) => {
    const deps = c.get('deps');
    const row = await updateMailbox(
      deps,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      deps.clock.now(),
    );
    return c.json(toMailbox(row), 200);
  });
}
