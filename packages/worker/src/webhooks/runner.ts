/**
 * The webhook runner a worker owns: each tick fans the log out, then claims subscriptions with
 * due work for its free slots and delivers each one's queue in order, in the background (many
 * subscriptions in flight, bounded by `concurrency`; serial within one). A delivery that fails
 * stops its subscription's run: later events wait behind it until it succeeds or fails for good.
 */
import {
  type Deps,
  decideDelivery,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from '@outreach/shared';
import { attemptDelivery } from './attempt';
import { fanOut } from './fanout';
import { WEBHOOK_TIMEOUT_MS, WebhookAgents } from './post';
import {
  claimSubscriptions,
  disableSubscription,
  pendingDeliveries,
  recordAttempt,
  releaseSubscription,
} from './queue';

export interface WebhookRunnerOptions {
  /** Subscriptions delivered at once by this worker (default 16). */
  concurrency?: number;
  /** How long a claim holds without a write (default 60 s; renewed by every attempt). */
  leaseMs?: number;
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** Deliveries loaded per read of a queue (default 100). */
  batch?: number;
  /** Events read per fan-out step (default 1000). */
  fanOutBatch?: number;
}

export const WEBHOOK_LEASE_MS = 60_000;

export class WebhookRunner {
  readonly agents = new WebhookAgents();
  private readonly runs = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;
  private readonly fanOutBatch: number;
  private stopping = false;

  constructor(opts: WebhookRunnerOptions = {}) {
    this.concurrency = opts.concurrency ?? 16;
    this.leaseMs = opts.leaseMs ?? WEBHOOK_LEASE_MS;
    this.timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.batch = opts.batch ?? 100;
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

  /** Graceful stop: runs finish the attempt in hand, then the agents close. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drain();
    this.agents.close();
  }

  private async deliverQueue(deps: Deps, sub: WebhookSubscriptionRow, leaseId: string): Promise<void> {
    let failingSince = sub.failingSince;
    try {
      while (!this.stopping) {
        const queue = await pendingDeliveries(deps.db, sub.id, this.batch);
        if (queue.length === 0) return;
        for (const d of queue) {
          if (this.stopping || (d.nextAttemptAt ?? 0) > deps.clock.now()) return;
          const outcome = await deliverOne(deps, sub, d, leaseId, failingSince, this);
          if (!outcome) return;
          failingSince = outcome.failingSince;
          if (!outcome.continue) return;
        }
      }
    } finally {
      await releaseSubscription(deps.db, sub.id, leaseId);
    }
  }

  get attemptOptions() {
    return { timeoutMs: this.timeoutMs, agents: this.agents, leaseMs: this.leaseMs };
  }
}

/**
 * Attempts one delivery under a held lease and records it; `null` when the lease was lost.
 * `continue` says whether the subscription's next delivery may follow at once.
 */
export async function deliverOne(
  deps: Deps,
  sub: WebhookSubscriptionRow,
  d: WebhookDeliveryRow,
  leaseId: string,
  failingSince: number | null,
  runner: Pick<WebhookRunner, 'attemptOptions'>,
): Promise<{ continue: boolean; failingSince: number | null; delivery: WebhookDeliveryRow } | null> {
  const opts = runner.attemptOptions;
  const result = await attemptDelivery(deps, sub, d, opts);
  const decision = decideDelivery(d.attempts + 1, result, deps.clock.now(), failingSince, deps.rng);
  // A test delivery is one shot: it never queues behind (or ahead of) real events.
  if (d.eventType === 'webhook.test' && decision.status === 'pending') {
    decision.status = 'failed';
    decision.nextAttemptAt = null;
  }
  const recorded = await recordAttempt(deps, sub, leaseId, d, result, decision, opts);
  if (!recorded) return null;
  if (decision.disable) await disableSubscription(deps, sub, decision.disable, result.error);
  const delivery: WebhookDeliveryRow = {
    ...d,
    status: decision.status,
    attempts: recorded.attempts,
    nextAttemptAt: decision.nextAttemptAt,
    lastAttemptAt: deps.clock.now(),
    responseStatus: result.status,
    responseBodySnippet: result.bodySnippet,
    durationMs: result.durationMs,
    error: result.error,
  };
  return {
    continue: recorded.status === 'active' && !decision.disable && decision.status === 'succeeded',
    failingSince: decision.failingSince,
    delivery,
  };
}
