import { createRoute } from '@hono/zod-openapi';
import { getThread } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ThreadIdParam, ThreadSchema, toThread } from './schema';

export const getThreadRoute = createRoute({
  method: 'get',
  path: '/threads/{id}',
  operationId: 'threads.get',
  tags: ['Unibox'],
  summary: 'Get a thread',
  request: { params: ThreadIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'The thread', content: { 'application/json': { schema: ThreadSchema } } },
    ...errorResponses,
  },
});

export function registerGetThread(app: App): void {
  app.openapi(getThreadRoute, async (c) => {
    const thread = await getThread(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json(toThread(thread), 200);
  });
}
