import { createRoute } from '@hono/zod-openapi';
import { runPreflight } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { liveMailboxChecker } from '../mailboxes/checker';
import { PreflightSchema, toPreflight } from './schema';

export const preflightRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/preflight',
  operationId: 'campaigns.preflight',
  tags: ['Preflight'],
  summary: 'Check that a campaign can launch (mailbox_auth logs in to every active mailbox)',
  description:
    'Blocking checks: has_steps, has_contacts, has_mailboxes, mailbox_auth, schedule_set. Warnings that do not block: variables_resolvable, unsubscribe_link, suppressed_contacts, mailboxes_healthy (an attached mailbox is paused, its last login check failed or its inbox read is failing). A successful login younger than 10 minutes is reused.',
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'The checks', content: { 'application/json': { schema: PreflightSchema } } },
    ...errorResponses,
  },
});

export function registerPreflight(app: App): void {
  app.openapi(preflightRoute, async (c) => {
    const result = await runPreflight(
      c.get('deps'),
      liveMailboxChecker,
      c.get('workspaceId'),
      c.req.valid('param').id,
    );
    return c.json(toPreflight(result), 200);
  });
}
