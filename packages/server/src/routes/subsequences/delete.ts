import { createRoute } from '@hono/zod-openapi';
import { deleteSubsequence } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { SubsequenceParams } from './schema';

export const deleteSubsequenceRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/subsequences/{subId}',
  operationId: 'subsequences.delete',
  tags: ['Subsequences'],
  summary: 'Delete a subsequence nobody is active in',
  description:
    'While a contact is still receiving its steps: 409 `conflict`. The routing rules naming it are removed with it; its sent messages stay in their threads.',
  request: { params: SubsequenceParams, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteSubsequence(app: App): void {
  app.openapi(deleteSubsequenceRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, subId } = c.req.valid('param');
    await deleteSubsequence(db, c.get('workspaceId'), id, subId, clock.now());
    return c.body(null, 204);
  });
}
