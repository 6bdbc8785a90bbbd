import { createRoute, z } from '@hono/zod-openapi';
import { listMailboxes } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { MailboxSchema, toMailbox } from './schema';

export const listMailboxesRoute = createRoute({
  method: 'get',
  path: '/mailboxes',
  operationId: 'mailboxes.list',
  tags: ['Mailboxes'],
  summary: 'List mailboxes, oldest first',
  request: {
    query: PageQuery.extend({
      status: z
        .enum(['unverified', 'verified', 'failing'])
        .optional()
        .openapi({ param: { name: 'status', in: 'query' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of mailboxes',
      content: { 'application/json': { schema: listOf(MailboxSchema, 'MailboxList') } },
    },
    ...errorResponses,
  },
});

export function registerListMailboxes(app: App): void {
  app.openapi(listMailboxesRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listMailboxes(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      after: decodeCursor(q.cursor),
      status: q.status,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toMailbox),
      200,
    );
  });
}
