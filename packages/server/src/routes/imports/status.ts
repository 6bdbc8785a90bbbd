import { createRoute } from '@hono/zod-openapi';
import { getImport } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ImportIdParam, ImportStatusBodySchema, toStatus } from './schema';

export const importStatusRoute = createRoute({
  method: 'get',
  path: '/imports/{importId}/status',
  operationId: 'imports.status',
  tags: ['Imports'],
  summary: 'Progress, counts and the first 100 row errors of an import',
  request: { params: ImportIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: ImportStatusBodySchema } } },
    ...errorResponses,
  },
});

export function registerImportStatus(app: App): void {
  app.openapi(importStatusRoute, async (c) => {
    const imp = await getImport(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').importId);
    return c.json(toStatus(imp), 200);
  });
}
