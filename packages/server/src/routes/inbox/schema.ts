import { z } from '@hono/zod-openapi';

/** The `POST /inbox/classify` answer: `Classification` of shared/domain/inbox/types.ts. */
export const ClassificationSchema = z
  .object({
    kind: z.enum(['reply', 'auto_reply', 'bounce', 'complaint', 'notification']),
    replyIntent: z
      .enum(['interested', 'not_interested', 'out_of_office', 'bounced', 'unsubscribe', 'neutral'])
      .nullable()
      .openapi({ description: 'Null for kinds other than reply and auto_reply' }),
    isOoo: z
      .boolean()
      .openapi({ description: 'An out-of-office auto-reply (never together with isAutoReply)' }),
    isAutoReply: z.boolean().openapi({ description: 'Any other auto-reply' }),
    oooUntil: z
      .string()
      .nullable()
      .openapi({ description: 'Return date of an out-of-office reply', example: '2026-12-15' }),
    bounce: z
      .object({
        type: z.enum(['hard', 'soft']),
        status: z.string().nullable().openapi({ example: '5.1.1' }),
        recipient: z.string().nullable(),
        diagnosticCode: z.string().nullable(),
        reportingMta: z.string().nullable(),
      })
      .nullable(),
    complaint: z.object({ feedbackType: z.string().nullable(), recipient: z.string().nullable() }).nullable(),
    text: z.string().openapi({
      description: 'A reply’s new text (quoted history and signature stripped); the body otherwise',
    }),
    language: z.string().nullable().openapi({ description: 'ISO 639-1', example: 'en' }),
    reasons: z.array(z.string()).openapi({ description: 'Why, one entry per decision, in order' }),
  })
  .openapi('Classification');
