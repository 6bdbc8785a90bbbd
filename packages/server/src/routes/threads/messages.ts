import { createRoute } from '@hono/zod-openapi';
import { threadMessages } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { ThreadIdParam, ThreadMessagesSchema, toMessage } from './schema';

export const threadMessagesRoute = createRoute({
  method: 'get',
  path: '/threads/{id}/messages',
  operationId: 'threads.messages',
  tags: ['Unibox'],
  summary: "A thread's messages, oldest first: our sends, the replies, the Unibox replies",
  request: { params: ThreadIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'The messages', content: { 'application/json': { schema: ThreadMessagesSchema } } },
    ...errorResponses,
  },
});

export function registerThreadMessages(app: App): void {
  app.openapi(threadMessagesRoute, async (c) => {
    const { thread, messages } = await threadMessages(
      c.get('deps'),
      c.get('workspaceId'),
      c.req.valid('param').id,
    );
    return c.json(
      { replyIntent: thread.replyIntent, campaignId: thread.campaignId, messages: messages.map(toMessage) },
      200,
    );
  });
}
