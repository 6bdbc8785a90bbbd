import { createRoute } from '@hono/zod-openapi';
import { confirmImport } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { ImportIdParam, ImportQueuedSchema, MappingConfirmBody } from './schema';

export const mappingConfirmRoute = createRoute({
  method: 'post',
  path: '/imports/{importId}/mapping-confirm',
  operationId: 'imports.confirmMapping',
  tags: ['Imports'],
  summary: 'Confirm the column mapping and queue the import (once)',
  request: {
    params: ImportIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: MappingConfirmBody } } },
  },
  responses: {
    200: { description: 'Queued', content: { 'application/json': { schema: ImportQueuedSchema } } },
    ...errorResponses,
  },
});

export function registerMappingConfirm(app: App): void {
  app.openapi(mappingConfirmRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const imp = await confirmImport(
      db,
      c.get('workspaceId'),
      c.req.valid('param').importId,
      c.req.valid('json').mapping,
      clock.now(),
    );
    return c.json({ importId: imp.id, status: imp.status }, 200);
  });
}
