import { createRoute, z } from '@hono/zod-openapi';
import { listSubsequences } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { SubsequenceSchema, toSubsequence } from './schema';

export const SubsequenceList = z.object({ items: z.array(SubsequenceSchema) }).openapi('SubsequenceList');

export const listSubsequencesRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/subsequences',
  operationId: 'subsequences.list',
  tags: ['Subsequences'],
  summary: "A campaign's subsequences with their counts",
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'Every live subsequence, oldest first',
      content: { 'application/json': { schema: SubsequenceList } },
    },
    ...errorResponses,
  },
});

export function registerListSubsequences(app: App): void {
  app.openapi(listSubsequencesRoute, async (c) => {
    const items = await listSubsequences(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json({ items: items.map(toSubsequence) }, 200);
  });
}
