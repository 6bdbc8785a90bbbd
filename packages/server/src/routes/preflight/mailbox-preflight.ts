import { createRoute } from '@hono/zod-openapi';
import { mailboxPreflight } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { liveMailboxChecker } from '../mailboxes/checker';
import { MailboxPreflightSchema, toMailboxPreflightItem } from './schema';

export const mailboxPreflightRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/mailbox-preflight',
  operationId: 'campaignMailboxes.preflight',
  tags: ['Preflight'],
  summary: 'Per attached mailbox: SMTP and IMAP login, daily limit, sends in the last 24 h, state',
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'One item per attached mailbox',
      content: { 'application/json': { schema: MailboxPreflightSchema } },
    },
    ...errorResponses,
  },
});

export function registerMailboxPreflight(app: App): void {
  app.openapi(mailboxPreflightRoute, async (c) => {
    const items = await mailboxPreflight(
      c.get('deps'),
      liveMailboxChecker,
      c.get('workspaceId'),
      c.req.valid('param').id,
    );
    return c.json({ items: items.map(toMailboxPreflightItem) }, 200);
  });
}
