import { createRoute } from '@hono/zod-openapi';
import { detachMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignMailboxParams } from './schema';

export const detachMailboxRoute = createRoute({
  method: 'delete',
  path: '/campaigns/{id}/mailboxes/{cmbId}',
  operationId: 'campaignMailboxes.detach',
  tags: ['Campaign mailboxes'],
  summary: 'Detach a mailbox from a campaign (contacts it already wrote to wait for it: prefer state paused)',
  request: { params: CampaignMailboxParams, query: WorkspaceQuery },
  responses: { 204: { description: 'Detached' }, ...errorResponses },
});

export function registerDetachMailbox(app: App): void {
  app.openapi(detachMailboxRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, cmbId } = c.req.valid('param');
    await detachMailbox(db, c.get('workspaceId'), id, cmbId, clock.now());
    return c.body(null, 204);
  });
}
