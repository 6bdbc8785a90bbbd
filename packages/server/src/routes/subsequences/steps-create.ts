import { createRoute } from '@hono/zod-openapi';
import { createStep, getSubsequence } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CreateStepBody, StepSchema, toStep } from '../steps/schema';
import { SubsequenceParams } from './schema';

export const createSubsequenceStepRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/subsequences/{subId}/steps',
  operationId: 'subsequenceSteps.create',
  tags: ['Subsequences'],
  summary: 'Add a step to a subsequence',
  description:
    'The same shape and rules as a main step (order unique in the subsequence, delays, variants), except that `subject` may be left out: the step then sends `Re: <the thread’s subject>`. The first step’s delay counts from the reply that routed the contact (or the enrolment).',
  request: {
    params: SubsequenceParams,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateStepBody } } },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: StepSchema } } },
    ...errorResponses,
  },
});

export function registerCreateSubsequenceStep(app: App): void {
  app.openapi(createSubsequenceStepRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, subId } = c.req.valid('param');
    await getSubsequence(db, c.get('workspaceId'), id, subId);
    const row = await createStep(db, c.get('workspaceId'), id, c.req.valid('json'), clock.now(), {
      subsequenceId: subId,
    });
    return c.json(toStep(row), 201);
  });
}
