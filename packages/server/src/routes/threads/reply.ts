import { createRoute } from '@hono/zod-openapi';
import { replyToThread } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { MessageSchema, ReplyBody, ThreadIdParam, toMessage } from './schema';
import { smtpReplySender } from './sender';

export const replyThreadRoute = createRoute({
  method: 'post',
  path: '/threads/{id}/reply',
  operationId: 'threads.reply',
  tags: ['Unibox'],
  summary: "Reply in the thread from its mailbox (counts toward the mailbox's daily limit)",
  request: {
    params: ThreadIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: ReplyBody } } },
  },
  responses: {
    201: { description: 'The message sent', content: { 'application/json': { schema: MessageSchema } } },
    ...errorResponses,
  },
});

export function registerReplyThread(app: App): void {
  app.openapi(replyThreadRoute, async (c) => {
    const message = await replyToThread(
      c.get('deps'),
      smtpReplySender,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      { requestKey: c.req.valid('header')['idempotency-key'] ?? null },
    );
    return c.json(toMessage(message), 201);
  });
}
