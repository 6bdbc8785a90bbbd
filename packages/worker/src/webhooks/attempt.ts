/**
 * One delivery attempt: the endpoint's host is resolved and checked again (DNS may have changed
 * since the subscription was made), the body is signed with every current secret (two `v1,`
 * signatures during a rotation), then POSTed to the checked address.
 */
import {
  AddressNotAllowedError,
  type AttemptResult,
  type Deps,
  resolveAllowed,
  signingSecrets,
  type WebhookSubscriptionRow,
} from '@outreach/shared';
import { Webhook } from 'standardwebhooks';
import { postWebhook, type WebhookAgents } from './post';

export interface AttemptOptions {
  timeoutMs: number;
  agents: WebhookAgents;
}

/**
 * The signers of one subscription, opened once per run rather than per delivery (decrypting and
 * decoding the secrets is most of the CPU an attempt costs); the old secret drops out when the
 * rotation overlap ends.
 */
export class SubscriptionSigner {
  private signers: Webhook[] = [];
  private validUntil = -1;
  constructor(
    private readonly deps: Pick<Deps, 'secrets'>,
    private readonly sub: WebhookSubscriptionRow,
  ) {}

  /** The Standard Webhooks headers of one attempt made at `now`. */
  headers(deliveryId: string, payload: string, now: number): Record<string, string> {
    if (now >= this.validUntil) {
      this.signers = signingSecrets(this.deps, this.sub, now).map((s) => new Webhook(s));
      const until = this.sub.previousSecretUntil;
      this.validUntil = until != null && now < until ? until : Number.POSITIVE_INFINITY;
    }
    const at = new Date(Math.floor(now / 1000) * 1000);
    return {
      'webhook-id': deliveryId,
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': this.signers.map((w) => w.sign(deliveryId, at, payload)).join(' '),
    };
  }
}

export async function attemptDelivery(
  deps: Deps,
  sub: WebhookSubscriptionRow,
  delivery: { id: string; payload: string },
  opts: AttemptOptions,
  signer: SubscriptionSigner = new SubscriptionSigner(deps, sub),
): Promise<AttemptResult> {
  const started = performance.now();
  const now = deps.clock.now();
  const ms = () => Math.round(performance.now() - started);
  const fail = (error: string): AttemptResult => ({
    ok: false,
    status: null,
    bodySnippet: null,
    durationMs: ms(),
    error,
    retryAfterMs: null,
  });
  let url: URL;
  try {
    url = new URL(sub.endpoint);
  } catch {
    return fail('the endpoint is not a URL');
  }
  let addresses: Awaited<ReturnType<typeof resolveAllowed>>;
  try {
    addresses = await resolveAllowed(url.hostname, { allowPrivate: deps.config.webhookAllowPrivate });
  } catch (err) {
    if (err instanceof AddressNotAllowedError) return fail(`endpoint not allowed: ${err.message}`);
    throw err;
  }
  const headers = signer.headers(delivery.id, delivery.payload, now);
  const res = await postWebhook({
    url,
    addresses,
    headers,
    body: delivery.payload,
    timeoutMs: opts.timeoutMs,
    agents: opts.agents,
    now,
  });
  const ok = res.status !== null && res.status >= 200 && res.status < 300;
  let error = res.error;
  if (!error && !ok && res.status !== null) {
    error =
      res.status >= 300 && res.status < 400
        ? `redirect ${res.status} not followed${res.headers.location ? ` (to ${res.headers.location})` : ''}`
        : `HTTP ${res.status}`;
  }
  return {
    ok,
    status: res.status,
    bodySnippet: res.bodySnippet,
    durationMs: ms(),
    error,
    retryAfterMs: res.retryAfterMs,
  };
}
