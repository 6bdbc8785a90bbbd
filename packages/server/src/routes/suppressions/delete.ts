import { createRoute, z } from '@hono/zod-openapi';
import { AppError, deleteSuppression } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';

export const deleteSuppressionRoute = createRoute({
  method: 'delete',
  path: '/campaigns/suppressions',
  operationId: 'suppressions.delete',
  tags: ['Suppressions'],
  summary: 'Remove the suppression of an address (or of a domain)',
  description:
    'Contacts it suppressed stay `suppressed`; set them back with PATCH if they should be mailed again.',
  request: {
    query: WorkspaceQuery.extend({
      email: z
        .string()
        .trim()
        .min(1)
        .max(320)
        .optional()
        .openapi({ param: { name: 'email', in: 'query' } }),
      domain: z
        .string()
        .trim()
        .min(1)
        .max(253)
        .optional()
        .openapi({ param: { name: 'domain', in: 'query' } }),
    }),
  },
  responses: { 204: { description: 'Removed' }, ...errorResponses },
});

export function registerDeleteSuppression(app: App): void {
  app.openapi(deleteSuppressionRoute, async (c) => {
    const q = c.req.valid('query');
    if ((q.email === undefined) === (q.domain === undefined)) {
      throw AppError.validation([{ path: 'email', message: 'give exactly one of email or domain' }]);
    }
    await deleteSuppression(c.get('deps').db, c.get('workspaceId'), { email: q.email, domain: q.domain });
    return c.body(null, 204);
  });
}
