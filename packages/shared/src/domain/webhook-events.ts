/**
 * The webhook event catalogue (API.md "Webhooks") and the subscription filter. Pure: the fan-out
 * loop and the routes share these, and the OpenAPI `webhooks` object is generated from the same
 * list.
 */

export const WEBHOOK_EVENT_TYPES = [
  {
    type: 'reply.received',
    description: 'A contact replied (or an auto-reply arrived) to a campaign message',
  },
  { type: 'contact.bounced', description: 'A message to the contact bounced' },
  { type: 'contact.unsubscribed', description: 'The contact unsubscribed (link, header or reply)' },
  { type: 'contact.status_changed', description: "The contact's status in the campaign changed" },
  { type: 'contact.completed', description: 'The contact received every step of the campaign' },
  {
    type: 'contact.mailbox_changed',
    description: "The contact's mailbox was detached from the campaign; its next steps go from another one",
  },
  { type: 'send.sent', description: 'A step was sent to a contact' },
  { type: 'send.failed', description: 'A send failed for good' },
  { type: 'campaign.launched', description: 'The campaign was launched' },
  { type: 'campaign.paused', description: 'The campaign was paused' },
  { type: 'campaign.resumed', description: 'The campaign was resumed' },
  { type: 'campaign.completed', description: 'Every contact of the campaign is finished' },
  { type: 'import.completed', description: 'A contact import finished' },
  { type: 'thread.intent_changed', description: "A thread's reply intent was corrected" },
  { type: 'subsequence.enrolled', description: 'A contact was enrolled in a subsequence' },
  { type: 'mailbox.error', description: "A mailbox's SMTP or IMAP login started failing" },
  {
    type: 'webhook.disabled',
    description: 'A webhook subscription was disabled after failing (410 or 5 days)',
  },
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]['type'];

/** Sent by `POST …/subscriptions/{id}/test` only; not subscribable. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENT_TYPES.map((t) => t.type));

export function isSubscribableEventType(type: string): type is WebhookEventType {
  return SUBSCRIBABLE.has(type);
}

export const REPLY_INTENTS = [
  'interested',
  'not_interested',
  'out_of_office',
  'bounced',
  'unsubscribe',
  'neutral',
] as const;

export interface WebhookFilter {
  eventTypes: readonly string[];
  /** Empty: every campaign (and events without one). */
  campaignIds: readonly string[];
  /** Applies to `reply.received` only; empty: every intent. */
  replyIntents: readonly string[];
  ignoreOoo: boolean;
  ignoreAutoReply: boolean;
}

export interface LoggedEvent {
  type: string;
  campaignId: string | null;
  data: Record<string, unknown>;
}

/** Whether a subscription with `filter` receives `event`. */
export function webhookFilterMatches(filter: WebhookFilter, event: LoggedEvent): boolean {
  if (!filter.eventTypes.includes(event.type)) return false;
  if (
    filter.campaignIds.length > 0 &&
    (!event.campaignId || !filter.campaignIds.includes(event.campaignId))
  ) {
    return false;
  }
  if (event.type === 'reply.received') {
    const d = event.data;
    if (filter.replyIntents.length > 0 && !filter.replyIntents.includes(String(d.replyIntent))) return false;
    if (filter.ignoreOoo && d.isOoo === true) return false;
    if (filter.ignoreAutoReply && d.isAutoReply === true) return false;
  }
  return true;
}

/** The body of every delivery (Standard Webhooks): `{type, timestamp, data}`, serialised once. */
export function webhookPayload(type: string, createdAtMs: number, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: new Date(createdAtMs).toISOString(), data });
}
