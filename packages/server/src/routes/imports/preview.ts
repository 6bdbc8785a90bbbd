import { createRoute } from '@hono/zod-openapi';
import { getImport, importPreview } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ImportIdParam, MappingPreviewSchema } from './schema';

export const mappingPreviewRoute = createRoute({
  method: 'get',
  path: '/imports/{importId}/mapping-preview',
  operationId: 'imports.mappingPreview',
  tags: ['Imports'],
  summary: "The file's columns, a suggested mapping and the first 5 rows",
  request: { params: ImportIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'Preview', content: { 'application/json': { schema: MappingPreviewSchema } } },
    ...errorResponses,
  },
});

export function registerMappingPreview(app: App): void {
  app.openapi(mappingPreviewRoute, async (c) => {
    const imp = await getImport(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').importId);
    return c.json(importPreview(imp), 200);
  });
}
