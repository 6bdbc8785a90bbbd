import { createRoute, z } from '@hono/zod-openapi';
import { listWorkspaceEvents } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { LoggedEventSchema, TAG, toLoggedEvent, WEBHOOKS_BASE } from './schema';

export const listEventsRoute = createRoute({
  method: 'get',
  path: `${WEBHOOKS_BASE}/events`,
  operationId: 'webhooks.events',
  tags: [TAG],
  summary: "The workspace's event log, newest first",
  request: {
    query: PageQuery.extend({
      type: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .openapi({ param: { name: 'type', in: 'query' }, example: 'reply.received' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of events',
      content: { 'application/json': { schema: listOf(LoggedEventSchema, 'LoggedEventList') } },
    },
    ...errorResponses,
  },
});

export function registerListEvents(app: App): void {
  app.openapi(listEventsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listWorkspaceEvents(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      before: decodeCursor(q.cursor),
      type: q.type,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toLoggedEvent),
      200,
    );
  });
}
