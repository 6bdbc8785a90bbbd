import { createRoute } from '@hono/zod-openapi';
import { addSuppressions } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { AddSuppressionsBody, AddSuppressionsResult } from './schema';

export const addSuppressionsRoute = createRoute({
  method: 'post',
  path: '/campaigns/suppressions',
  operationId: 'suppressions.add',
  tags: ['Suppressions'],
  summary: 'Suppress addresses (and domains) workspace-wide',
  description:
    'Matching contacts of every campaign become `suppressed` (event written) and their waiting sends `canceled`.',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: AddSuppressionsBody } } },
  },
  responses: {
    200: { description: 'Added', content: { 'application/json': { schema: AddSuppressionsResult } } },
    ...errorResponses,
  },
});

export function registerAddSuppressions(app: App): void {
  app.openapi(addSuppressionsRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const res = await addSuppressions(db, c.get('workspaceId'), c.req.valid('json'), clock.now());
    return c.json(res, 200);
  });
}
