import { createRoute } from '@hono/zod-openapi';
import { createMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CreateMailboxBody, MailboxSchema, toMailbox } from './schema';

export const createMailboxRoute = createRoute({
  method: 'post',
  path: '/mailboxes',
  operationId: 'mailboxes.create',
  tags: ['Mailboxes'],
  summary: 'Register a mailbox (SMTP + IMAP); passwords are write-only and encrypted at rest',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateMailboxBody } } },
  },
  responses: {
    201: {
      description: 'Registered (status `unverified` until verified)',
      content: { 'application/json': { schema: MailboxSchema } },
    },
    ...errorResponses,
  },
});

export function registerCreateMailbox(app: App): void {
  app.openapi(createMailboxRoute, async (c) => {
    const deps = c.get('deps');
    const row = await createMailbox(deps, c.get('workspaceId'), c.req.valid('json'), deps.clock.now());
    deps.log.info('mailbox registered', { mailboxId: row.id, address: row.address });
    return c.json(toMailbox(row), 201);
  });
}
