import { createRoute } from '@hono/zod-openapi';
import { addContactsJson } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { AddContactsBody, CampaignParam, ImportCountsSchema } from './schema';

export const addContactsRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/contacts',
  operationId: 'contacts.add',
  tags: ['Contacts'],
  summary: 'Add up to 1,000 contacts as JSON (same upsert and counts as the CSV import)',
  request: {
    params: CampaignParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: AddContactsBody } } },
  },
  responses: {
    200: {
      description: 'What was imported',
      content: { 'application/json': { schema: ImportCountsSchema } },
    },
    ...errorResponses,
  },
});

export function registerAddContacts(app: App): void {
  app.openapi(addContactsRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const body = c.req.valid('json');
    const counts = await addContactsJson(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      body.contacts,
      clock.now(),
    );
    return c.json(counts, 200);
  });
}
