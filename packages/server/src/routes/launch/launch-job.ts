import { createRoute } from '@hono/zod-openapi';
import { getLaunchJob } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { LaunchJobParams, LaunchJobSchema, toLaunchJob } from './schema';

export const launchJobRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/launch-jobs/{jobId}',
  operationId: 'launchJobs.get',
  tags: ['Launch and lifecycle'],
  summary: 'The state of an async launch',
  request: { params: LaunchJobParams, query: WorkspaceQuery },
  responses: {
    200: { description: 'The launch job', content: { 'application/json': { schema: LaunchJobSchema } } },
    ...errorResponses,
  },
});

export function registerLaunchJob(app: App): void {
  app.openapi(launchJobRoute, async (c) => {
    const { id, jobId } = c.req.valid('param');
    const job = await getLaunchJob(c.get('deps').db, c.get('workspaceId'), id, jobId);
    return c.json(toLaunchJob(job), 200);
  });
}
