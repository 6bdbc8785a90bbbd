import { createRoute } from '@hono/zod-openapi';
import { iso, launchCampaign, queueLaunch } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { liveMailboxChecker } from '../mailboxes/checker';
import { LaunchedSchema, LaunchQuery, LaunchQueuedSchema } from './schema';

export const launchRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/launch',
  operationId: 'campaigns.launch',
  tags: ['Launch and lifecycle'],
  summary: 'Run preflight, then enrol pending contacts and set the campaign active',
  description:
    'Blocking preflight failures → 409 `preflight_failed` with `checks`, `blockingFailures` and `summary`. A paused/completed campaign → 409 `invalid_transition` with `allowedActions`. `limit` caps the contacts enrolled over all launches: launching again with a larger limit enrols more; with the same limit (or none, when every contact is enrolled) it is a no-op success.',
  request: { params: CampaignIdParam, query: LaunchQuery, headers: IdempotencyHeader },
  responses: {
    200: { description: 'Launched (sync)', content: { 'application/json': { schema: LaunchedSchema } } },
    202: {
      description: 'Queued (async): poll the launch job',
      content: { 'application/json': { schema: LaunchQueuedSchema } },
    },
    ...errorResponses,
  },
});

export function registerLaunch(app: App): void {
  app.openapi(launchRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    if (q.async) {
      const job = await queueLaunch(deps, liveMailboxChecker, c.get('workspaceId'), id, { limit: q.limit });
      return c.json(
        {
          ok: true as const,
          jobId: job.jobId,
          status: 'queued' as const,
          campaignId: id,
          createdAt: iso(job.createdAt),
        },
        202,
      );
    }
    const out = await launchCampaign(deps, liveMailboxChecker, c.get('workspaceId'), id, { limit: q.limit });
    return c.json(
      { ok: true as const, status: 'launched' as const, campaignId: id, enrolled: out.enrolled },
      200,
    );
  });
}
