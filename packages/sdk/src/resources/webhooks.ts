import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';
import { unwrap, type WebhookEvent, type WebhookHeaders } from '../webhooks';

export type WebhookSubscription = components['schemas']['WebhookSubscription'];
export type WebhookSubscriptionWithSecret = components['schemas']['WebhookSubscriptionWithSecret'];
export type WebhookSubscriptionCreateParams = components['schemas']['CreateWebhookSubscription'];
export type WebhookSubscriptionUpdateParams = components['schemas']['UpdateWebhookSubscription'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type LoggedEvent = components['schemas']['LoggedEvent'];
export type WebhookEventListParams = Omit<
  NonNullable<paths['/campaigns/webhooks/events']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;
type PageParams = { limit?: number };

/** Signed event deliveries (Standard Webhooks) to your endpoints, and the event log behind them. */
export class Webhooks extends APIResource {
  /** `GET /campaigns/webhooks/event-types`. */
  eventTypes(options?: RequestOptions) {
    return this._get('/campaigns/webhooks/event-types', {}, options);
  }

  /** `POST /campaigns/webhooks/subscriptions` → `{subscription}` with its secret (generated when absent). */
  create(
    body: WebhookSubscriptionCreateParams,
    options?: RequestOptions,
  ): APIPromise<{ subscription: WebhookSubscriptionWithSecret }> {
    return this._post('/campaigns/webhooks/subscriptions', { body }, options);
  }

  /** `GET /campaigns/webhooks/subscriptions`, oldest first (never the secrets). */
  list(query?: PageParams, options?: RequestOptions): PagePromise<WebhookSubscription> {
    return this._list('/campaigns/webhooks/subscriptions', { query }, options);
  }

  /** `GET /campaigns/webhooks/subscriptions/{id}` → `{subscription}` with its secret. */
  get(id: string, options?: RequestOptions): APIPromise<{ subscription: WebhookSubscriptionWithSecret }> {
    return this._get('/campaigns/webhooks/subscriptions/{id}', { path: { id } }, options);
  }

  /** `PATCH /campaigns/webhooks/subscriptions/{id}`: endpoint (checked again) or filters. */
  update(
    id: string,
    body: WebhookSubscriptionUpdateParams,
    options?: RequestOptions,
  ): APIPromise<{ subscription: WebhookSubscription }> {
    return this._patch('/campaigns/webhooks/subscriptions/{id}', { path: { id }, body }, options);
  }

  /** `DELETE /campaigns/webhooks/subscriptions/{id}` (its deliveries go with it). */
  delete(id: string, options?: RequestOptions): APIPromise<void> {
    return this._delete('/campaigns/webhooks/subscriptions/{id}', { path: { id } }, options);
  }

  /** `POST …/{id}/pause`: events are held until resume, nothing is dropped. */
  pause(id: string, options?: RequestOptions): APIPromise<{ subscription: WebhookSubscription }> {
    return this._post('/campaigns/webhooks/subscriptions/{id}/pause', { path: { id } }, options);
  }

  /** `POST …/{id}/resume` (also re-enables a disabled one): held events go out oldest first. */
  resume(id: string, options?: RequestOptions): APIPromise<{ subscription: WebhookSubscription }> {
    return this._post('/campaigns/webhooks/subscriptions/{id}/resume', { path: { id } }, options);
  }

  /** `POST …/{id}/rotate-secret`: the new secret; the old one keeps signing alongside for 24 h. */
  rotateSecret(
    id: string,
    body: { secret?: string } = {},
    options?: RequestOptions,
  ): APIPromise<{ subscription: WebhookSubscriptionWithSecret }> {
    return this._post(
      '/campaigns/webhooks/subscriptions/{id}/rotate-secret',
      { path: { id }, body },
      options,
    );
  }

  /** `POST …/{id}/test`: delivers a `webhook.test` event now and resolves with the delivery. */
  test(id: string, options?: RequestOptions): APIPromise<WebhookDelivery> {
    return this._post('/campaigns/webhooks/subscriptions/{id}/test', { path: { id } }, options);
  }

  /** `GET …/{id}/deliveries`, newest first, with each last response's status, snippet and duration. */
  deliveries(id: string, query?: PageParams, options?: RequestOptions): PagePromise<WebhookDelivery> {
    return this._list('/campaigns/webhooks/subscriptions/{id}/deliveries', { path: { id }, query }, options);
  }

  /** `POST …/{id}/deliveries/{deliveryId}/retry`: attempts it now (same `webhook-id`). */
  retryDelivery(id: string, deliveryId: string, options?: RequestOptions): APIPromise<WebhookDelivery> {
    return this._post(
      '/campaigns/webhooks/subscriptions/{id}/deliveries/{deliveryId}/retry',
      { path: { id, deliveryId } },
      options,
    );
  }

  /** `GET /campaigns/webhooks/events`: the workspace's event log, newest first, by `type`. */
  events(query?: WebhookEventListParams, options?: RequestOptions): PagePromise<LoggedEvent> {
    return this._list('/campaigns/webhooks/events', { query }, options);
  }

  /**
   * Verifies a delivery your endpoint received and returns the typed event; throws
   * `WebhookVerificationError` on a bad or stale signature. See `unwrap` in the package root to
   * verify without a client.
   */
  unwrap(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookEvent {
    return unwrap(rawBody, headers, secret);
  }
}
