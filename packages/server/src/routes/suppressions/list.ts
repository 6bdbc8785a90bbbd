import { createRoute, z } from '@hono/zod-openapi';
import { listSuppressions } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { SuppressionSchema, toSuppression } from './schema';

export const listSuppressionsRoute = createRoute({
  method: 'get',
  path: '/campaigns/suppressions',
  operationId: 'suppressions.list',
  tags: ['Suppressions'],
  summary: 'List suppressions, oldest first',
  request: {
    query: PageQuery.extend({
      kind: z
        .enum(['email', 'domain'])
        .optional()
        .openapi({ param: { name: 'kind', in: 'query' } }),
    }),
  },
  responses: {
    200: {
      description: 'A page of suppressions',
      content: { 'application/json': { schema: listOf(SuppressionSchema, 'SuppressionList') } },
    },
    ...errorResponses,
  },
});

export function registerListSuppressions(app: App): void {
  app.openapi(listSuppressionsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listSuppressions(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      after: decodeCursor(q.cursor),
      kind: q.kind,
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toSuppression),
      200,
    );
  });
}
