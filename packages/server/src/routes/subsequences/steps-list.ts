import { createRoute } from '@hono/zod-openapi';
import { getSubsequence, listSteps } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { StepList } from '../steps/list';
import { toStep } from '../steps/schema';
import { SubsequenceParams } from './schema';

export const listSubsequenceStepsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/subsequences/{subId}/steps',
  operationId: 'subsequenceSteps.list',
  tags: ['Subsequences'],
  summary: "A subsequence's steps, by order",
  request: { params: SubsequenceParams, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'Every step of the subsequence',
      content: { 'application/json': { schema: StepList } },
    },
    ...errorResponses,
  },
});

export function registerListSubsequenceSteps(app: App): void {
  app.openapi(listSubsequenceStepsRoute, async (c) => {
    const { db } = c.get('deps');
    const { id, subId } = c.req.valid('param');
    await getSubsequence(db, c.get('workspaceId'), id, subId);
    const rows = await listSteps(db, c.get('workspaceId'), id, { subsequenceId: subId });
    return c.json({ items: rows.map(toStep) }, 200);
  });
}
