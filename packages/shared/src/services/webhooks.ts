/**
 * Webhook subscriptions. Secrets are sealed with the deps' `SecretBox` (AES-256-GCM) like mailbox
 * passwords; the plain secret is returned only by create, get and rotate. Endpoints are checked
 * against the address policy at create and on every endpoint change (and again by the worker on
 * every delivery).
 */
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { webhookDeliveries, webhookSubscriptions } from '../db/schema/index';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { eventInsert } from '../events';
import { newId } from '../ids';
import { AddressNotAllowedError, type HostResolver, resolveAllowed } from '../net/address-policy';

export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;

export interface WebhookFilterInput {
  eventTypes: string[];
  replyIntents?: string[];
  campaignIds?: string[];
  ignoreOoo?: boolean;
  ignoreAutoReply?: boolean;
}

export interface CreateWebhookInput extends WebhookFilterInput {
  endpoint: string;
  secret?: string;
}

export type UpdateWebhookInput = Partial<WebhookFilterInput> & { endpoint?: string };

/** A subscription with its secret opened (for the responses that show it, and for signing). */
export interface OpenedSubscription {
  row: WebhookSubscriptionRow;
  secret: string;
}

/** How long the secret before a rotation keeps signing alongside the new one. */
export const WEBHOOK_ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** `whsec_` + base64 of 24 random bytes (Standard Webhooks' format). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The host of an endpoint must resolve to allowed addresses only: 422 `endpoint_not_allowed` otherwise. */
export async function checkWebhookEndpoint(
  deps: Pick<Deps, 'config'>,
  endpoint: string,
  resolver?: HostResolver,
): Promise<void> {
  const url = new URL(endpoint);
  try {
    await resolveAllowed(url.hostname, { allowPrivate: deps.config.webhookAllowPrivate, resolver });
  } catch (err) {
    if (!(err instanceof AddressNotAllowedError)) throw err;
    throw new AppError('endpoint_not_allowed', `The endpoint is not allowed: ${err.message}`, {
      status: 422,
      errors: [{ path: 'endpoint', message: err.message }],
    });
  }
}

export async function createWebhookSubscription(
  deps: Pick<Deps, 'db' | 'secrets' | 'config'>,
  workspaceId: number,
  input: CreateWebhookInput,
  now: number,
): Promise<OpenedSubscription> {
  await checkWebhookEndpoint(deps, input.endpoint);
  const secret = input.secret ?? generateWebhookSecret();
  const id = newId('webhookSubscription', now);
  const [row] = await deps.db.orm.batch([
    deps.db.orm
      .insert(webhookSubscriptions)
      .values({
        id,
        workspaceId,
        endpoint: input.endpoint,
        eventTypes: input.eventTypes,
        replyIntents: input.replyIntents ?? [],
        campaignIds: input.campaignIds ?? [],
        ignoreOoo: input.ignoreOoo ?? false,
        ignoreAutoReply: input.ignoreAutoReply ?? false,
        status: 'active',
        secret: deps.secrets.encrypt(secret),
        // Only events logged after this point are delivered to it.
        fromSeq: sql`coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_event_seq'), 0)`,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    eventInsert(
      deps.db.orm,
      {
        workspaceId,
        type: 'webhook.subscription_created',
        data: { subscriptionId: id, endpoint: input.endpoint },
      },
      now,
    ),
  ]);
  return { row: row[0]!, secret };
}

/** A subscription of this workspace, or 404. */
export async function getWebhookSubscription(
  db: Db,
  workspaceId: number,
  id: string,
): Promise<WebhookSubscriptionRow> {
  const row = await db.orm.query.webhookSubscriptions.findFirst({
    where: and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.workspaceId, workspaceId)),
  });
  if (!row) throw AppError.notFound('Webhook subscription', id);
  return row;
}

export function openSubscription(
  deps: Pick<Deps, 'secrets'>,
  row: WebhookSubscriptionRow,
): OpenedSubscription {
  return { row, secret: deps.secrets.decrypt(row.secret) };
}

/** The secrets that sign a delivery made at `now`: the current one, and the previous one during a rotation. */
export function signingSecrets(
  deps: Pick<Deps, 'secrets'>,
  row: Pick<WebhookSubscriptionRow, 'secret' | 'previousSecret' | 'previousSecretUntil'>,
  now: number,
): string[] {
  const secrets = [deps.secrets.decrypt(row.secret)];
  if (row.previousSecret && row.previousSecretUntil != null && now < row.previousSecretUntil) {
    secrets.push(deps.secrets.decrypt(row.previousSecret));
  }
  return secrets;
}

export async function listWebhookSubscriptions(
  db: Db,
  workspaceId: number,
  opts: { limit: number; after: string | null },
): Promise<WebhookSubscriptionRow[]> {
  return db.orm
    .select()
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.workspaceId, workspaceId),
        opts.after ? gt(webhookSubscriptions.id, opts.after) : undefined,
      ),
    )
    .orderBy(asc(webhookSubscriptions.id))
    .limit(opts.limit + 1);
}

/** Writes `patch` to the subscription with an event of `type`, in one batch. */
async function change(
  deps: Pick<Deps, 'db'>,
  current: WebhookSubscriptionRow,
  patch: Partial<WebhookSubscriptionRow>,
  type: string,
  now: number,
): Promise<WebhookSubscriptionRow> {
  const [rows] = await deps.db.orm.batch([
    deps.db.orm
      .update(webhookSubscriptions)
      .set({ ...patch, updatedAt: now })
      .where(eq(webhookSubscriptions.id, current.id))
      .returning(),
    eventInsert(
      deps.db.orm,
      {
        workspaceId: current.workspaceId,
        type,
        data: { subscriptionId: current.id, endpoint: current.endpoint },
      },
      now,
    ),
  ]);
  if (!rows[0]) throw AppError.notFound('Webhook subscription', current.id);
  return rows[0];
}

export async function updateWebhookSubscription(
  deps: Pick<Deps, 'db' | 'config'>,
  workspaceId: number,
  id: string,
  patch: UpdateWebhookInput,
  now: number,
): Promise<WebhookSubscriptionRow> {
  const current = await getWebhookSubscription(deps.db, workspaceId, id);
  if (patch.endpoint !== undefined && patch.endpoint !== current.endpoint) {
    await checkWebhookEndpoint(deps, patch.endpoint);
  }
  const set: Partial<WebhookSubscriptionRow> = {};
  if (patch.endpoint !== undefined) set.endpoint = patch.endpoint;
  if (patch.eventTypes !== undefined) set.eventTypes = patch.eventTypes;
  if (patch.replyIntents !== undefined) set.replyIntents = patch.replyIntents;
  if (patch.campaignIds !== undefined) set.campaignIds = patch.campaignIds;
  if (patch.ignoreOoo !== undefined) set.ignoreOoo = patch.ignoreOoo;
  if (patch.ignoreAutoReply !== undefined) set.ignoreAutoReply = patch.ignoreAutoReply;
  return change(deps, current, set, 'webhook.subscription_updated', now);
}

export async function deleteWebhookSubscription(
  deps: Pick<Deps, 'db'>,
  workspaceId: number,
  id: string,
  now: number,
): Promise<void> {
  const current = await getWebhookSubscription(deps.db, workspaceId, id);
  await deps.db.orm.batch([
    deps.db.orm.delete(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, id)),
    deps.db.orm.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)),
    eventInsert(
      deps.db.orm,
      {
        workspaceId,
        type: 'webhook.subscription_deleted',
        data: { subscriptionId: id, endpoint: current.endpoint },
      },
      now,
    ),
  ]);
}

/** Paused: new events are still fanned out to it, and held until resume. */
export async function pauseWebhookSubscription(
  deps: Pick<Deps, 'db'>,
  workspaceId: number,
  id: string,
  now: number,
): Promise<WebhookSubscriptionRow> {
  const current = await getWebhookSubscription(deps.db, workspaceId, id);
  if (current.status === 'paused') return current;
  return change(deps, current, { status: 'paused' }, 'webhook.subscription_paused', now);
}

/** Active again (also after it was disabled): held deliveries go out oldest first. */
export async function resumeWebhookSubscription(
  deps: Pick<Deps, 'db'>,
  workspaceId: number,
  id: string,
  now: number,
): Promise<WebhookSubscriptionRow> {
  const current = await getWebhookSubscription(deps.db, workspaceId, id);
  if (current.status === 'active') return current;
  return change(
    deps,
    current,
    { status: 'active', failingSince: null, disabledReason: null },
    'webhook.subscription_resumed',
    now,
  );
}

/** A new secret; the old one signs alongside it for 24 h (two `v1,` signatures). */
export async function rotateWebhookSecret(
  deps: Pick<Deps, 'db' | 'secrets'>,
  workspaceId: number,
  id: string,
  input: { secret?: string },
  now: number,
): Promise<OpenedSubscription> {
  const current = await getWebhookSubscription(deps.db, workspaceId, id);
  const secret = input.secret ?? generateWebhookSecret();
  const row = await change(
    deps,
    current,
    {
      secret: deps.secrets.encrypt(secret),
      previousSecret: current.secret,
      previousSecretUntil: now + WEBHOOK_ROTATION_OVERLAP_MS,
    },
    'webhook.secret_rotated',
    now,
  );
  return { row, secret };
}
