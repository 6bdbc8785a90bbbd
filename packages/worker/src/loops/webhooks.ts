/**
 * The webhook loop: fan-out of the event log and delivery of the subscriptions' queues (see
 * `webhooks/runner.ts`). The runner is the loop's own state; deliveries it started keep going
 * between ticks and are awaited on a graceful stop.
 */
import { type Loop, registerLoop } from '../index';
import { WebhookRunner, type WebhookRunnerOptions } from '../webhooks/runner';

/** How often a worker looks for new events and due deliveries. */
export const WEBHOOK_INTERVAL_MS = 200;

export function webhooksLoop(opts: WebhookRunnerOptions & { intervalMs?: number } = {}): Loop {
  const runner = new WebhookRunner(opts);
  return {
    name: 'webhooks',
    intervalMs: () => opts.intervalMs ?? WEBHOOK_INTERVAL_MS,
    tick: (deps) => runner.tick(deps),
    drain: () => runner.stop(),
  };
}

registerLoop(webhooksLoop());
