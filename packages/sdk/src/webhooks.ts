/**
 * Verifying webhook deliveries: `unwrap(rawBody, headers, secret)` checks the Standard Webhooks
 * signature (with the `standardwebhooks` package, the one the server signs with) and the
 * timestamp (±5 minutes), then returns the event typed by its `type`.
 */
import { WebhookVerificationError as SignatureError, Webhook } from 'standardwebhooks';
import { OutreachError } from './errors';
import type { components } from './generated/openapi';

/** Every delivery body, a union discriminated by `type` (generated from the spec's `webhooks`). */
export type WebhookEvent = components['schemas']['WebhookEvent'];
export type WebhookEventType = WebhookEvent['type'];
/** The event of one type, e.g. `WebhookEventOf<'reply.received'>`. */
export type WebhookEventOf<T extends WebhookEventType> = Extract<WebhookEvent, { type: T }>;

/** The signature is missing, wrong (another secret, a changed body) or too old / too new. */
export class WebhookVerificationError extends OutreachError {
  override name = 'WebhookVerificationError';
}

/** A Fetch `Headers`, or Node's `IncomingHttpHeaders` (`req.headers`), or a plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function headerRecord(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((v, k) => {
      out[k.toLowerCase()] = v;
    });
    return out;
  }
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(' ') : v;
  }
  return out;
}

/**
 * Verifies a delivery and returns its event. Pass the body exactly as received (bytes or string;
 * not re-serialised JSON) and the subscription's `whsec_…` secret. Throws
 * {@link WebhookVerificationError} when the signature or timestamp does not verify.
 */
export function unwrap(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookEvent {
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const h = headerRecord(headers);
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    if (!h[name]) throw new WebhookVerificationError(`Missing ${name} header`);
  }
  try {
    return new Webhook(secret).verify(body, h) as WebhookEvent;
  } catch (err) {
    if (err instanceof SignatureError) throw new WebhookVerificationError(err.message);
    throw err;
  }
}
