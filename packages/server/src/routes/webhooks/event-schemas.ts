/**
 * Every webhook event's payload as a named schema, registered in the OpenAPI document's
 * top-level `webhooks` object (OpenAPI 3.1), so the SDK's event union is generated from it.
 * `data` objects are open: producers may add facts, never remove these.
 */
import { z } from '@hono/zod-openapi';
import { REPLY_INTENTS, WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT } from '@outreach/shared';
import type { App } from '../../app';
import { Timestamp } from '../../lib/schemas';

const id = (example: string) => z.string().openapi({ example });
const campaign = { campaignId: id('cmp_01j9z3k4m5n6p7q8r9s0t1v2w3') };
const contact = {
  ...campaign,
  contactId: id('cnt_01j9z3k4m5n6p7q8r9s0t1v2w3'),
  email: z.string().openapi({ example: 'jane@acme.com' }),
};
const send = {
  ...contact,
  sendId: id('snd_01j9z3k4m5n6p7q8r9s0t1v2w3'),
  stepId: id('stp_01j9z3k4m5n6p7q8r9s0t1v2w3'),
};
const open = <T extends z.ZodRawShape>(shape: T, name: string) => z.object(shape).passthrough().openapi(name);

/** `data` of each event type. */
const DATA: Record<string, z.ZodTypeAny> = {
  'reply.received': open(
    {
      ...contact,
      threadId: id('thr_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      messageId: id('msg_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      replyIntent: z.enum(REPLY_INTENTS),
      isOoo: z.boolean(),
      isAutoReply: z.boolean(),
      subject: z.string(),
      bodyText: z.string().openapi({ description: 'The new text, without quoted history or signature' }),
      mailboxId: z.string().optional(),
      stepId: z.string().optional().openapi({ description: 'The step the reply answered' }),
    },
    'ReplyReceivedData',
  ),
  'contact.bounced': open(
    { ...contact, sendId: z.string().optional(), bounceType: z.enum(['hard', 'soft']).optional() },
    'ContactBouncedData',
  ),
  'contact.unsubscribed': open({ ...contact, source: z.string().optional() }, 'ContactUnsubscribedData'),
  'contact.status_changed': open(
    {
      ...contact,
      status: z.string().openapi({ example: 'active' }),
      previousStatus: z.string().nullable().optional(),
      reason: z.string().optional(),
    },
    'ContactStatusChangedData',
  ),
  'contact.completed': open(contact, 'ContactCompletedData'),
  'contact.mailbox_changed': open(
    {
      ...contact,
      fromMailboxId: id('mbx_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      toMailboxId: id('mbx_01j9z3k4m5n6p7q8r9s0t1v2w4'),
      reason: z.enum(['detached']),
    },
    'ContactMailboxChangedData',
  ),
  'send.sent': open(
    {
      ...send,
      variantId: z.string().nullable().optional(),
      mailboxId: z.string().optional(),
      messageId: z.string().optional(),
    },
    'SendSentData',
  ),
  'send.failed': open({ ...send, error: z.string().optional() }, 'SendFailedData'),
  'campaign.launched': open(campaign, 'CampaignLaunchedData'),
  'campaign.paused': open(campaign, 'CampaignPausedData'),
  'campaign.resumed': open(campaign, 'CampaignResumedData'),
  'campaign.completed': open(campaign, 'CampaignCompletedData'),
  'import.completed': open(
    {
      ...campaign,
      importId: id('imp_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      counts: z.record(z.string(), z.number()).optional(),
    },
    'ImportCompletedData',
  ),
  'thread.intent_changed': open(
    {
      ...contact,
      threadId: id('thr_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      replyIntent: z.enum(REPLY_INTENTS),
      previousIntent: z.enum(REPLY_INTENTS).nullable().optional(),
    },
    'ThreadIntentChangedData',
  ),
  'subsequence.enrolled': open(
    {
      ...contact,
      subsequenceId: id('sub_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      source: z.enum(['auto', 'manual']).openapi({
        description:
          '`auto`: a routing rule matched the reply (or its corrected label); `manual`: POST …/enroll',
      }),
      threadId: z.string().nullable().openapi({ description: 'the thread whose reply routed the contact' }),
      previousStatus: z.string().openapi({ example: 'replied' }),
      previousSubsequenceId: z.string().nullable(),
    },
    'SubsequenceEnrolledData',
  ),
  'mailbox.error': open(
    {
      mailboxId: id('mbx_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      address: z.string(),
      protocol: z.enum(['smtp', 'imap']),
      error: z.string(),
    },
    'MailboxErrorData',
  ),
  'webhook.disabled': open(
    {
      subscriptionId: id('wh_sub_01j9z3k4m5n6p7q8r9s0t1v2w3'),
      endpoint: z.string(),
      reason: z.enum(['gone', 'failing_5_days']),
      lastError: z.string().nullable(),
    },
    'WebhookDisabledData',
  ),
  [WEBHOOK_TEST_EVENT]: open(
    { subscriptionId: id('wh_sub_01j9z3k4m5n6p7q8r9s0t1v2w3'), message: z.string() },
    'WebhookTestData',
  ),
};

/** `reply.received` → `ReplyReceivedEvent`. */
function schemaName(type: string): string {
  return `${type
    .split(/[._]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')}Event`;
}

const TYPES = [...WEBHOOK_EVENT_TYPES.map((t) => t.type), WEBHOOK_TEST_EVENT];

export const EVENT_SCHEMAS = TYPES.map((type) => ({
  type,
  schema: z
    .object({ type: z.literal(type), timestamp: Timestamp, data: DATA[type]! })
    .openapi(schemaName(type), { description: `The body of a \`${type}\` delivery` }),
}));

/** Every delivery body, discriminated by `type`. */
export const WebhookEventSchema = z
  .discriminatedUnion(
    'type',
    EVENT_SCHEMAS.map((e) => e.schema) as unknown as [
      z.ZodObject<z.ZodRawShape>,
      ...z.ZodObject<z.ZodRawShape>[],
    ],
  )
  .openapi('WebhookEvent');

const HEADERS = z.object({
  'webhook-id': z.string().openapi({ description: 'The delivery id (`whd_…`), the same on every retry' }),
  'webhook-timestamp': z.string().openapi({ description: 'Unix seconds of this attempt' }),
  'webhook-signature': z.string().openapi({
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`; two during a rotation',
  }),
});

export function registerWebhookEvents(app: App): void {
  const registry = app.openAPIRegistry;
  registry.register('WebhookEvent', WebhookEventSchema);
  const description =
    'Standard Webhooks: verify the signature with the subscription secret, de-duplicate by `webhook-id`, answer 2xx within 15 s.';
  for (const { type, schema } of EVENT_SCHEMAS) {
    const about = WEBHOOK_EVENT_TYPES.find((t) => t.type === type)?.description ?? 'A test delivery';
    registry.registerWebhook({
      method: 'post',
      path: type,
      // `reply.received` → `webhookEvents.replyReceived`
      operationId: `webhookEvents.${type.replace(/[._]([a-z])/g, (_, c: string) => c.toUpperCase())}`,
      tags: ['Webhooks'],
      summary: about,
      description,
      request: { headers: HEADERS, body: { required: true, content: { 'application/json': { schema } } } },
      responses: { 200: { description: 'Any 2xx acknowledges the delivery' } },
    });
  }
}
