import { createRoute } from '@hono/zod-openapi';
import { updateThreadIntent } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ThreadIdParam, ThreadSchema, toThread, UpdateThreadBody } from './schema';

export const updateThreadRoute = createRoute({
  method: 'patch',
  path: '/threads/{id}',
  operationId: 'threads.update',
  tags: ['Unibox'],
  summary: "Correct a thread's reply intent (writes thread.intent_changed)",
  request: {
    params: ThreadIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateThreadBody } } },
  },
  responses: {
    200: { description: 'The thread', content: { 'application/json': { schema: ThreadSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateThread(app: App): void {
  app.openapi(updateThreadRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const thread = await updateThreadIntent(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json').replyIntent,
      clock.now(),
    );
    return c.json(toThread(thread), 200);
  });
}
