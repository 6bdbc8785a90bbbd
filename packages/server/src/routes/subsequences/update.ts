import { createRoute } from '@hono/zod-openapi';
import { updateSubsequence } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { SubsequenceParams, SubsequenceSchema, toSubsequence, UpdateSubsequenceBody } from './schema';

export const updateSubsequenceRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/subsequences/{subId}',
  operationId: 'subsequences.update',
  tags: ['Subsequences'],
  summary: 'Rename a subsequence or change its enrollment mode',
  request: {
    params: SubsequenceParams,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateSubsequenceBody } } },
  },
  responses: {
    200: { description: 'The subsequence', content: { 'application/json': { schema: SubsequenceSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateSubsequence(app: App): void {
  app.openapi(updateSubsequenceRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, subId } = c.req.valid('param');
    const sub = await updateSubsequence(
      db,
      c.get('workspaceId'),
      id,
      subId,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toSubsequence(sub), 200);
  });
}
