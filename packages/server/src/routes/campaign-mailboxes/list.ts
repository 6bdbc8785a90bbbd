import { createRoute, z } from '@hono/zod-openapi';
import { listCampaignMailboxes } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { CampaignMailboxSchema, toCampaignMailbox } from './schema';

export const CampaignMailboxList = z
  .object({ items: z.array(CampaignMailboxSchema), next_cursor: z.null() })
  .openapi('CampaignMailboxList');

export const listCampaignMailboxesRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/mailboxes',
  operationId: 'campaignMailboxes.list',
  tags: ['Campaign mailboxes'],
  summary: "The campaign's mailboxes (a short fixed list, oldest first)",
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'Every attached mailbox',
      content: { 'application/json': { schema: CampaignMailboxList } },
    },
    ...errorResponses,
  },
});

export function registerListCampaignMailboxes(app: App): void {
  app.openapi(listCampaignMailboxesRoute, async (c) => {
    const rows = await listCampaignMailboxes(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json({ items: rows.map(toCampaignMailbox), next_cursor: null }, 200);
  });
}
