import { z } from '@hono/zod-openapi';
import {
  type EventRow,
  iso,
  REPLY_INTENTS,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from '@outreach/shared';
import { pathId, Timestamp } from '../../lib/schemas';

const EVENT_TYPE_NAMES = WEBHOOK_EVENT_TYPES.map((t) => t.type) as [string, ...string[]];
export const EventTypeEnum = z.enum(EVENT_TYPE_NAMES).openapi('WebhookEventType');
const ReplyIntentEnum = z.enum(REPLY_INTENTS);

const endpoint = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
      } catch {
        return false;
      }
    },
    { message: 'an http:// or https:// URL (without credentials)' },
  )
  .openapi({ example: 'https://crm.example.com/hooks/outreach' });

/** `whsec_` + base64 (Standard Webhooks): the key is the base64 part, 24 to 64 bytes. */
const secret = z
  .string()
  .regex(/^(whsec_)?[A-Za-z0-9+/]{32,88}={0,2}$/, 'whsec_ followed by base64 of 24 to 64 bytes')
  .openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });

const filters = {
  eventTypes: z.array(EventTypeEnum).min(1).max(50),
  replyIntents: z
    .array(ReplyIntentEnum)
    .max(10)
    .optional()
    .openapi({ description: 'Applies to `reply.received`' }),
  campaignIds: z
    .array(z.string().min(1).max(100))
    .max(1000)
    .optional()
    .openapi({ description: 'Empty = all' }),
  ignoreOoo: z
    .boolean()
    .optional()
    .openapi({ description: 'Drop `reply.received` of out-of-office replies' }),
  ignoreAutoReply: z
    .boolean()
    .optional()
    .openapi({ description: 'Drop `reply.received` of other auto-replies' }),
};

export const CreateSubscriptionBody = z
  .object({
    endpoint,
    ...filters,
    secret: secret.optional().openapi({ description: 'Generated when absent' }),
  })
  .openapi('CreateWebhookSubscription');

export const UpdateSubscriptionBody = z
  .object({ endpoint: endpoint.optional(), ...filters, eventTypes: filters.eventTypes.optional() })
  .openapi('UpdateWebhookSubscription');

export const RotateSecretBody = z
  .object({ secret: secret.optional().openapi({ description: 'Generated when absent' }) })
  .openapi('RotateWebhookSecret');

const subscriptionFields = {
  id: z.string().openapi({ example: 'wh_sub_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
  endpoint: z.string(),
  eventTypes: z.array(z.string()),
  replyIntents: z.array(z.string()),
  campaignIds: z.array(z.string()),
  ignoreOoo: z.boolean(),
  ignoreAutoReply: z.boolean(),
  status: z.enum(['active', 'paused', 'disabled']),
};

export const SubscriptionSchema = z
  .object({ ...subscriptionFields, createdAt: Timestamp })
  .openapi('WebhookSubscription');
export const SubscriptionWithSecretSchema = z
  .object({ ...subscriptionFields, secret: z.string(), createdAt: Timestamp })
  .openapi('WebhookSubscriptionWithSecret');

export const SubscriptionEnvelope = z
  .object({ subscription: SubscriptionSchema })
  .openapi('WebhookSubscriptionEnvelope');
export const SubscriptionSecretEnvelope = z
  .object({ subscription: SubscriptionWithSecretSchema })
  .openapi('WebhookSubscriptionSecretEnvelope');

export const DeliverySchema = z
  .object({
    id: z
      .string()
      .openapi({ example: 'whd_01j9z3k4m5n6p7q8r9s0t1v2w3', description: 'Also the `webhook-id` header' }),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    responseBodySnippet: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    nextAttemptAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('WebhookDelivery');

export const LoggedEventSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_01j9z3k4m5n6p7q8r9s0t1v2w3' }),
    type: z.string(),
    campaignId: z.string().nullable(),
    contactId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .openapi('LoggedEvent');

export const SubscriptionIdParam = z.object({
  id: pathId('id', 'wh_sub', 'wh_sub_01j9z3k4m5n6p7q8r9s0t1v2w3'),
});
export const DeliveryIdParam = SubscriptionIdParam.extend({
  deliveryId: pathId('deliveryId', 'whd', 'whd_01j9z3k4m5n6p7q8r9s0t1v2w3'),
});

export const WEBHOOKS_BASE = '/campaigns/webhooks';
export const TAG = 'Webhooks';

function base(s: WebhookSubscriptionRow) {
  return {
    id: s.id,
    endpoint: s.endpoint,
    eventTypes: s.eventTypes,
    replyIntents: s.replyIntents,
    campaignIds: s.campaignIds,
    ignoreOoo: s.ignoreOoo,
    ignoreAutoReply: s.ignoreAutoReply,
    status: s.status,
  };
}

export function toSubscription(s: WebhookSubscriptionRow): z.infer<typeof SubscriptionSchema> {
  return { ...base(s), createdAt: iso(s.createdAt) };
}

export function toSubscriptionWithSecret(
  s: WebhookSubscriptionRow,
  plain: string,
): z.infer<typeof SubscriptionWithSecretSchema> {
  return { ...base(s), secret: plain, createdAt: iso(s.createdAt) };
}

export function toDelivery(d: WebhookDeliveryRow): z.infer<typeof DeliverySchema> {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    responseBodySnippet: d.responseBodySnippet,
    durationMs: d.durationMs,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    createdAt: iso(d.createdAt),
  };
}

export function toLoggedEvent(e: EventRow): z.infer<typeof LoggedEventSchema> {
  return {
    id: e.id,
    type: e.type,
    campaignId: e.campaignId,
    contactId: e.contactId,
    data: e.data,
    createdAt: iso(e.createdAt),
  };
}
