import { createRoute, z } from '@hono/zod-openapi';
import { WEBHOOK_EVENT_TYPES } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { TAG, WEBHOOKS_BASE } from './schema';

const EventTypeList = z
  .object({ items: z.array(z.object({ type: z.string(), description: z.string() })) })
  .openapi('WebhookEventTypeList');

export const listEventTypesRoute = createRoute({
  method: 'get',
  path: `${WEBHOOKS_BASE}/event-types`,
  operationId: 'webhooks.eventTypes',
  tags: [TAG],
  summary: 'The event types a subscription can receive',
  request: { query: WorkspaceQuery },
  responses: {
    200: { description: 'Every event type', content: { 'application/json': { schema: EventTypeList } } },
    ...errorResponses,
  },
});

export function registerListEventTypes(app: App): void {
  app.openapi(listEventTypesRoute, (c) =>
    c.json({ items: WEBHOOK_EVENT_TYPES.map((t) => ({ type: t.type, description: t.description })) }, 200),
  );
}
