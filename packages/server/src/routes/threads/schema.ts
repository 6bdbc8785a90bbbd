import { z } from '@hono/zod-openapi';
import { iso, REPLY_INTENTS, type Thread, type ThreadMessage } from '@outreach/shared';
import { InstantInput, pathId, Timestamp, WorkspaceQuery } from '../../lib/schemas';

export const ReplyIntent = z.enum(REPLY_INTENTS).openapi('ReplyIntent');

export const ThreadIdParam = z.object({ id: pathId('id', 'thr', 'thr_01') });

export const ThreadSchema = z
  .object({
    id: z.string().openapi({ example: 'thr_01' }),
    external_thread_id: z.string().openapi({ description: 'the Message-ID that started the conversation' }),
    subject: z.string(),
    subject_display: z.string().openapi({ description: 'the subject without Re:/Fwd: prefixes' }),
    last_message: z
      .object({ from_email: z.string(), date_received: Timestamp, body_text: z.string() })
      .nullable(),
    message_count: z.number().int(),
    replyIntent: ReplyIntent.nullable(),
    campaignId: z.string(),
    contactId: z.string(),
    mailboxId: z.string(),
    is_ooo: z.boolean(),
    is_auto_reply: z.boolean(),
    updatedAt: Timestamp,
  })
  .openapi('Thread');

export function toThread(t: Thread): z.infer<typeof ThreadSchema> {
  return {
    id: t.id,
    external_thread_id: t.externalThreadId,
    subject: t.subject,
    subject_display: t.subjectDisplay,
    last_message:
      t.lastAt === null
        ? null
        : {
            from_email: t.lastFromEmail ?? '',
            date_received: iso(t.lastAt),
            body_text: t.lastBodyText ?? '',
          },
    message_count: t.messageCount,
    replyIntent: t.replyIntent,
    campaignId: t.campaignId,
    contactId: t.contactId,
    mailboxId: t.mailboxId,
    is_ooo: t.isOoo,
    is_auto_reply: t.isAutoReply,
    updatedAt: iso(t.updatedAt),
  };
}

export const ThreadListQuery = WorkspaceQuery.extend({
  replyIntent: z
    .union([ReplyIntent, z.array(ReplyIntent)])
    .optional()
    .openapi({
      param: { name: 'replyIntent', in: 'query', style: 'form', explode: true },
      description: 'may repeat',
    }),
  campaignId: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'campaignId', in: 'query' } }),
  mailboxId: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'mailboxId', in: 'query' } }),
  updatedSince: InstantInput.optional().openapi({ param: { name: 'updatedSince', in: 'query' } }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' } }),
});

export const ThreadListSchema = z
  .object({ threads: z.array(ThreadSchema), next_cursor: z.string().nullable() })
  .openapi('ThreadList');

export const MessageSchema = z
  .object({
    id: z
      .string()
      .openapi({ example: 'msg_01', description: '`msg_…`; a campaign send appears with its `snd_…` id' }),
    message_id: z.string(),
    in_reply_to: z.string().nullable(),
    from_email: z.string(),
    to_emails: z.array(z.string()),
    cc_emails: z.array(z.string()),
    subject: z.string(),
    body_text: z.string().nullable(),
    body_html: z.string().nullable(),
    direction: z.enum(['outbound', 'inbound']),
    date_received: Timestamp,
    kind: z
      .enum(['reply', 'auto_reply', 'bounce', 'complaint'])
      .optional()
      .openapi({ description: 'inbound only' }),
    text: z
      .string()
      .optional()
      .openapi({ description: 'inbound only: the new text, without quoted history or signature' }),
    reasons: z
      .array(z.string())
      .optional()
      .openapi({ description: 'inbound only: why it was classified so' }),
    status: z
      .enum(['sending', 'sent', 'failed'])
      .optional()
      .openapi({ description: 'outbound Unibox replies: sending until the mail server answered' }),
  })
  .openapi('ThreadMessage');

export function toMessage(m: ThreadMessage): z.infer<typeof MessageSchema> {
  return {
    id: m.id,
    message_id: m.messageId,
    in_reply_to: m.inReplyTo,
    from_email: m.fromEmail,
    to_emails: m.toEmails,
    cc_emails: m.ccEmails,
    subject: m.subject,
    body_text: m.bodyText,
    body_html: m.bodyHtml,
    direction: m.direction,
    date_received: iso(m.dateReceived),
    ...(m.direction === 'inbound'
      ? {
          kind: (m.kind ?? 'reply') as 'reply',
          text: m.text ?? '',
          reasons: m.reasons ?? [],
        }
      : { status: m.status as 'sent' }),
  };
}

export const ThreadMessagesSchema = z
  .object({ replyIntent: ReplyIntent.nullable(), campaignId: z.string(), messages: z.array(MessageSchema) })
  .openapi('ThreadMessages');

export const UpdateThreadBody = z.object({ replyIntent: ReplyIntent }).openapi('UpdateThread');

export const ReplyBody = z
  .object({
    bodyHtml: z.string().min(1).max(200_000).optional(),
    bodyText: z.string().min(1).max(200_000).optional(),
  })
  .refine((b) => b.bodyHtml !== undefined || b.bodyText !== undefined, {
    message: 'give bodyHtml or bodyText',
    path: ['bodyText'],
  })
  .openapi('ThreadReply');
