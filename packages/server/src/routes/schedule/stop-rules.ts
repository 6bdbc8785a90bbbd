import { createRoute } from '@hono/zod-openapi';
import { DEFAULT_STOP_RULES, updateCampaign } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam, StopRulesSchema } from '../campaigns/schema';
import { PutStopRulesBody } from './schema';

export const putStopRulesRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/stop-rules',
  operationId: 'campaigns.setStopRules',
  tags: ['Schedule'],
  summary: 'Set when a contact stops receiving steps',
  description:
    'Replaces the rules: a field left out takes its default (reply, unsub, bounce: true; auto-reply, company reply: false).',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: PutStopRulesBody } } },
  },
  responses: {
    200: {
      description: 'The stored stop rules',
      content: { 'application/json': { schema: StopRulesSchema } },
    },
    ...errorResponses,
  },
});

export function registerPutStopRules(app: App): void {
  app.openapi(putStopRulesRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const body = c.req.valid('json');
    const stopRules = {
      stopOnReply: body.stopOnReply ?? DEFAULT_STOP_RULES.stopOnReply,
      stopOnUnsub: body.stopOnUnsub ?? DEFAULT_STOP_RULES.stopOnUnsub,
      stopOnBounce: body.stopOnBounce ?? DEFAULT_STOP_RULES.stopOnBounce,
      stopOnAutoReply: body.stopOnAutoReply ?? DEFAULT_STOP_RULES.stopOnAutoReply,
      stopOnCompanyReply: body.stopOnCompanyReply ?? DEFAULT_STOP_RULES.stopOnCompanyReply,
    };
    const row = await updateCampaign(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      { stopRules },
      clock.now(),
    );
    return c.json(row.stopRules, 200);
  });
}
