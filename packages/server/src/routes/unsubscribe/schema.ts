import { z } from '@hono/zod-openapi';

export const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(300)
    .openapi({
      param: { name: 'token', in: 'path' },
      example: 'snd_01jq….sig',
      description: 'the signed token from the `List-Unsubscribe` link',
    }),
});

export const OneClickBody = z
  .object({
    'List-Unsubscribe': z
      .string()
      .optional()
      .openapi({ example: 'One-Click', description: 'RFC 8058: `One-Click`' }),
    confirm: z.string().optional().openapi({ description: "set by the confirm page's button" }),
  })
  .openapi('UnsubscribeForm');

export const UnsubscribedSchema = z
  .object({
    ok: z.literal(true),
    status: z.literal('unsubscribed'),
    alreadyUnsubscribed: z
      .boolean()
      .openapi({ description: 'true when an earlier request had unsubscribed already' }),
  })
  .openapi('Unsubscribed');

export const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
});
