import { createRoute } from '@hono/zod-openapi';
import { getSubsequence } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { SubsequenceParams, SubsequenceSchema, toSubsequence } from './schema';

export const getSubsequenceRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/subsequences/{subId}',
  operationId: 'subsequences.get',
  tags: ['Subsequences'],
  summary: 'Get a subsequence with its counts',
  request: { params: SubsequenceParams, query: WorkspaceQuery },
  responses: {
    200: { description: 'The subsequence', content: { 'application/json': { schema: SubsequenceSchema } } },
    ...errorResponses,
  },
});

export function registerGetSubsequence(app: App): void {
  app.openapi(getSubsequenceRoute, async (c) => {
    const { id, subId } = c.req.valid('param');
    const sub = await getSubsequence(c.get('deps').db, c.get('workspaceId'), id, subId);
    return c.json(toSubsequence(sub), 200);
  });
}
