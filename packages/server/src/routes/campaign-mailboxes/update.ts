import { createRoute } from '@hono/zod-openapi';
import { updateCampaignMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import {
  CampaignMailboxParams,
  CampaignMailboxSchema,
  toCampaignMailbox,
  UpdateCampaignMailboxBody,
} from './schema';

export const updateCampaignMailboxRoute = createRoute({
  method: 'patch',
  path: '/campaigns/{id}/mailboxes/{cmbId}',
  operationId: 'campaignMailboxes.update',
  tags: ['Campaign mailboxes'],
  summary: "Change a campaign mailbox's limit, weight, gaps or state (active|paused)",
  request: {
    params: CampaignMailboxParams,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateCampaignMailboxBody } } },
  },
  responses: {
    200: {
      description: 'The updated campaign mailbox',
      content: { 'application/json': { schema: CampaignMailboxSchema } },
    },
    ...errorResponses,
  },
});

export function registerUpdateCampaignMailbox(app: App): void {
  app.openapi(updateCampaignMailboxRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { id, cmbId } = c.req.valid('param');
    const row = await updateCampaignMailbox(
      db,
      c.get('workspaceId'),
      id,
      cmbId,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toCampaignMailbox(row), 200);
  });
}
