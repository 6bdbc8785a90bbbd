import { createRoute } from '@hono/zod-openapi';
import { AppError } from '@outreach/shared';
import { classify } from '@outreach/shared/domain/inbox/classify';
import { parseMessage } from '@outreach/shared/domain/inbox/parse';
import type { App } from '../../app';
import { bodyChunks } from '../../lib/multipart';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { collect } from '../contacts/upload';
import { ClassificationSchema } from './schema';

export const CLASSIFY_MAX_BYTES = 10 * 1024 * 1024;

export const classifyRoute = createRoute({
  method: 'post',
  path: '/inbox/classify',
  operationId: 'inbox.classify',
  tags: ['Inbox'],
  summary: 'Classify a raw message as the inbox loop would (nothing is stored)',
  description:
    'The body is the raw RFC 822 message (`Content-Type: message/rfc822`, up to 10 MB). Answers what the inbox loop would decide — complaint, bounce (hard/soft), auto-reply (out-of-office or other), reply with its intent — with the stripped reply text and the reasons for every decision.',
  request: {
    query: WorkspaceQuery,
    body: {
      required: true,
      content: { 'message/rfc822': { schema: { type: 'string', format: 'binary' } } },
    },
  },
  responses: {
    200: {
      description: 'The classification',
      content: { 'application/json': { schema: ClassificationSchema } },
    },
    415: { description: 'The body is not message/rfc822', content: errorResponses[422].content },
    ...errorResponses,
  },
});

const tooLarge = (n: number) =>
  new AppError('payload_too_large', `The message has more than ${CLASSIFY_MAX_BYTES} bytes (${n} read)`);

export function registerClassify(app: App): void {
  app.openapi(classifyRoute, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'message/rfc822') {
      throw new AppError('unsupported_media_type', 'Send the raw message with Content-Type: message/rfc822', {
        errors: [{ path: 'content-type', message: 'expected message/rfc822' }],
      });
    }
    if (Number(c.req.header('content-length') ?? 0) > CLASSIFY_MAX_BYTES)
      throw tooLarge(Number(c.req.header('content-length')));
    const raw = await collect(bodyChunks(c.req.raw.body), CLASSIFY_MAX_BYTES, tooLarge);
    if (raw.byteLength === 0) throw AppError.validation([{ path: 'body', message: 'the message is empty' }]);
    return c.json(classify(await parseMessage(Buffer.from(raw))), 200);
  });
}
