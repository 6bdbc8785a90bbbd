import { createRoute } from '@hono/zod-openapi';
import { AppError, type Schedule, updateCampaign, validateSchedule } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam, ScheduleSchema } from '../campaigns/schema';
import { PutScheduleBody } from './schema';

export const putScheduleRoute = createRoute({
  method: 'put',
  path: '/campaigns/{id}/schedule',
  operationId: 'campaigns.setSchedule',
  tags: ['Schedule'],
  summary: "Set a campaign's sending schedule",
  description:
    'Sends happen only inside a window, on a listed weekday, in that time zone (DST-correct). Windows: start < end, not overlapping.',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: PutScheduleBody } } },
  },
  responses: {
    200: { description: 'The stored schedule', content: { 'application/json': { schema: ScheduleSchema } } },
    ...errorResponses,
  },
});

export function registerPutSchedule(app: App): void {
  app.openapi(putScheduleRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const body = c.req.valid('json');
    const issues = validateSchedule(body);
    if (issues.length > 0)
      throw AppError.validation(issues.map((i) => ({ path: i.path || '(body)', message: i.message })));
    const schedule: Schedule = {
      timezone: body.timezone,
      weekdays: body.weekdays as Schedule['weekdays'],
      windows: body.windows,
    };
    const row = await updateCampaign(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      { schedule },
      clock.now(),
    );
    return c.json(row.schedule as Schedule, 200);
  });
}
