import { createRoute } from '@hono/zod-openapi';
import { attachMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { AttachMailboxBody, CampaignMailboxSchema, toCampaignMailbox } from './schema';

export const attachMailboxRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/mailboxes',
  operationId: 'campaignMailboxes.attach',
  tags: ['Campaign mailboxes'],
  summary: 'Attach a registered mailbox to a campaign by its address',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: AttachMailboxBody } } },
  },
  responses: {
    201: { description: 'Attached', content: { 'application/json': { schema: CampaignMailboxSchema } } },
    ...errorResponses,
  },
});

export function registerAttachMailbox(app: App): void {
  app.openapi(attachMailboxRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await attachMailbox(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toCampaignMailbox(row), 201);
  });
}
