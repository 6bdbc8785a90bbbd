import { createRoute } from '@hono/zod-openapi';
import { enrollContacts } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { EnrollBody, EnrollResultSchema, SubsequenceParams } from './schema';

export const enrollSubsequenceRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/subsequences/{subId}/enroll',
  operationId: 'subsequences.enroll',
  tags: ['Subsequences'],
  summary: 'Move contacts into a subsequence (manual mode, or a person’s own choice)',
  description:
    'As an auto rule does: the contact leaves the main sequence (its pending sends canceled) and gets the subsequence’s first step after its delay, in the same thread and from the same mailbox. `active`, `replied` and `completed` contacts can be enrolled; the others are skipped with the reason. A contact enters each subsequence once, and one at a time.',
  request: {
    params: SubsequenceParams,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: EnrollBody } } },
  },
  responses: {
    200: {
      description: 'How many entered, and who was skipped why',
      content: { 'application/json': { schema: EnrollResultSchema } },
    },
    ...errorResponses,
  },
});

export function registerEnrollSubsequence(app: App): void {
  app.openapi(enrollSubsequenceRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, subId } = c.req.valid('param');
    const result = await enrollContacts(
      db,
      c.get('workspaceId'),
      id,
      subId,
      c.req.valid('json').contactIds,
      clock.now(),
    );
    return c.json(result, 200);
  });
}
