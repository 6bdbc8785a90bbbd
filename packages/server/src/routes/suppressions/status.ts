import { createRoute, z } from '@hono/zod-openapi';
import { iso, isSuppressed } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { SuppressionStatusSchema } from './schema';

export const suppressionStatusRoute = createRoute({
  method: 'get',
  path: '/campaigns/suppressions/status',
  operationId: 'suppressions.status',
  tags: ['Suppressions'],
  summary: 'Whether an address is suppressed (by itself or by its domain)',
  request: {
    query: WorkspaceQuery.extend({
      email: z
        .string()
        .trim()
        .min(3)
        .max(320)
        .openapi({ param: { name: 'email', in: 'query' }, example: 'someone@company.com' }),
    }),
  },
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: SuppressionStatusSchema } } },
    ...errorResponses,
  },
});

export function registerSuppressionStatus(app: App): void {
  app.openapi(suppressionStatusRoute, async (c) => {
    const s = await isSuppressed(c.get('deps').db, c.get('workspaceId'), c.req.valid('query').email);
    return c.json({ ...s, createdAt: iso(s.createdAt) }, 200);
  });
}
