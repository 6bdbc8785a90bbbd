/**
 * The webhook runner a worker owns: each tick fans the log out, then claims subscriptions with
 * due work for its free slots and delivers each one's queue in order, in the background (many
 * subscriptions in flight, bounded by `concurrency`; serial within one). A delivery that fails
 * stops its subscription's run: later events wait behind it until it succeeds or fails for good.
 *
 * Successful attempts are recorded in small groups (one transaction per `recordEvery` or per
 * 100 ms): a worker killed before a group is written delivers those again (at least once, same
 * `webhook-id`), never loses one. A failure is recorded at once, before the run stops.
 */
import {
  type DeliveryDecision,
  type Deps,
  decideDelivery,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from '@outreach/shared';
import { type AttemptOptions, attemptDelivery, SubscriptionSigner } from './attempt';
import { fanOut } from './fanout';
import { WEBHOOK_TIMEOUT_MS, WebhookAgents } from './post';
import {
  claimSubscriptions,
  disableSubscription,
  pendingDeliveries,
  type RecordedAttempt,
  recordAttempts,
  releaseSubscription,
} from './queue';

export interface WebhookRunnerOptions {
  /** Subscriptions delivered at once by this worker (default 16). */
  concurrency?: number;
  /** How long a claim holds without a write (default 60 s; renewed by every record). */
  leaseMs?: number;
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** Deliveries loaded per read of a queue (default 200). */
  batch?: number;
  /** Successful attempts recorded per transaction (default 50). */
  recordEvery?: number;
  /** Events read per fan-out step (default 1000). */
  fanOutBatch?: number;
}

export const WEBHOOK_LEASE_MS = 60_000;
const RECORD_WITHIN_MS = 100;
/** A run hands its subscription back after this long, so manual tests and retries get a turn. */
const RUN_BUDGET_MS = 5_000;

export class WebhookRunner {
  readonly agents = new WebhookAgents();
  private readonly runs = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;
  private readonly recordEvery: number;
  private readonly fanOutBatch: number;
  private stopping = false;

  constructor(opts: WebhookRunnerOptions = {}) {
    this.concurrency = opts.concurrency ?? 16;
    this.leaseMs = opts.leaseMs ?? WEBHOOK_LEASE_MS;
    this.timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.batch = opts.batch ?? 200;
    this.recordEvery = opts.recordEvery ?? 50;
    this.fanOutBatch = opts.fanOutBatch ?? 1000;
  }

  /** Fan out everything new (bounded), then start runs for the free slots. */
  async tick(deps: Deps): Promise<void> {
    for (let i = 0; i < 20 && !this.stopping; i++) {
      const { events } = await fanOut(deps, { batch: this.fanOutBatch });
      if (events < this.fanOutBatch) break;
    }
    const free = this.concurrency - this.runs.size;
    if (free <= 0 || this.stopping) return;
    const { leaseId, subscriptions } = await claimSubscriptions(deps.db, {
      limit: free,
      leaseMs: this.leaseMs,
      now: deps.clock.now(),
    });
    for (const sub of subscriptions) {
      const run: Promise<void> = this.deliverQueue(deps, sub, leaseId)
        .catch((err) => deps.log.error('webhook run failed', { subscriptionId: sub.id, err }))
        .finally(() => this.runs.delete(run));
      this.runs.add(run);
    }
  }

  /** Waits for every run in flight. */
  async drain(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  /** Graceful stop: runs finish the attempt in hand and record it, then the agents close. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drain();
    this.agents.close();
  }

  get attemptOptions(): AttemptOptions & { leaseMs: number } {
    return { timeoutMs: this.timeoutMs, agents: this.agents, leaseMs: this.leaseMs };
  }

  private async deliverQueue(deps: Deps, sub: WebhookSubscriptionRow, leaseId: string): Promise<void> {
    let failingSince = sub.failingSince;
    const signer = new SubscriptionSigner(deps, sub);
    let unrecorded: RecordedAttempt[] = [];
    let since = performance.now();
    /** false: stop the run (lease lost, paused, disabled, or a failure to wait on). */
    const flush = async (): Promise<boolean> => {
      if (unrecorded.length === 0) return true;
      const group = unrecorded;
      unrecorded = [];
      since = performance.now();
      const out = await recordAttempts(deps, sub, leaseId, group, this.attemptOptions);
      if (!out) return false;
      const last = group[group.length - 1]!;
      if (last.decision.disable) {
        await disableSubscription(deps, sub, last.decision.disable, last.result.error);
        return false;
      }
      return out.status === 'active' && last.decision.status === 'succeeded';
    };
    const started = performance.now();
    try {
      while (!this.stopping && performance.now() - started < RUN_BUDGET_MS) {
        // Record what was attempted before reading the queue again, or it would be read as pending.
        if (!(await flush())) return;
        const queue = await pendingDeliveries(deps.db, sub.id, this.batch);
        if (queue.length === 0) return;
        for (const d of queue) {
          if (this.stopping || (d.nextAttemptAt ?? 0) > deps.clock.now()) return;
          const attempt = await attemptAndDecide(deps, sub, d, failingSince, this.attemptOptions, signer);
          failingSince = attempt.decision.failingSince;
          unrecorded.push(attempt);
          const full = unrecorded.length >= this.recordEvery || performance.now() - since > RECORD_WITHIN_MS;
          if (attempt.decision.status !== 'succeeded' || full) {
            if (!(await flush())) return;
          }
        }
      }
    } finally {
      await flush();
      await releaseSubscription(deps.db, sub.id, leaseId);
    }
  }
}

/** One attempt and what it means (not yet recorded). */
export async function attemptAndDecide(
  deps: Deps,
  sub: WebhookSubscriptionRow,
  d: WebhookDeliveryRow,
  failingSince: number | null,
  opts: AttemptOptions,
  signer?: SubscriptionSigner,
): Promise<RecordedAttempt & { decision: DeliveryDecision }> {
  const at = deps.clock.now();
  const result = await attemptDelivery(deps, sub, d, opts, signer);
  const decision = decideDelivery(d.attempts + 1, result, deps.clock.now(), failingSince, deps.rng);
  // A test delivery is one shot: it never queues behind (or ahead of) real events.
  if (d.eventType === 'webhook.test' && decision.status === 'pending') {
    decision.status = 'failed';
    decision.nextAttemptAt = null;
  }
  return { delivery: d, result, decision, at };
}

/**
 * Attempts one delivery under a held lease and records it at once (the manual routes);
 * `null` when the lease was lost.
 */
export async function deliverOne(
  deps: Deps,
  sub: WebhookSubscriptionRow,
  d: WebhookDeliveryRow,
  leaseId: string,
  opts: AttemptOptions & { leaseMs: number },
): Promise<WebhookDeliveryRow | null> {
  const attempt = await attemptAndDecide(deps, sub, d, sub.failingSince, opts);
  const recorded = await recordAttempts(deps, sub, leaseId, [attempt], opts);
  if (!recorded) return null;
  const { result, decision } = attempt;
  if (decision.disable) await disableSubscription(deps, sub, decision.disable, result.error);
  return {
    ...d,
    status: decision.status,
    attempts: recorded.attempts[0]!,
    nextAttemptAt: decision.nextAttemptAt,
    lastAttemptAt: attempt.at,
    responseStatus: result.status,
    responseBodySnippet: result.bodySnippet,
    durationMs: result.durationMs,
    error: result.error,
  };
}
