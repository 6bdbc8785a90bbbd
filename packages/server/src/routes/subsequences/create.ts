import { createRoute } from '@hono/zod-openapi';
import { createSubsequence } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { CreateSubsequenceBody, SubsequenceSchema, toSubsequence } from './schema';

export const createSubsequenceRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/subsequences',
  operationId: 'subsequences.create',
  tags: ['Subsequences'],
  summary: 'Create a follow-up sequence that replies are routed into',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateSubsequenceBody } } },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: SubsequenceSchema } } },
    ...errorResponses,
  },
});

export function registerCreateSubsequence(app: App): void {
  app.openapi(createSubsequenceRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const sub = await createSubsequence(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toSubsequence(sub), 201);
  });
}
