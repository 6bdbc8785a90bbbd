/**
 * The dispatch tick: the I/O around the pure planner (DESIGN.md "The sending engine").
 *
 * One tick:
 * 1. settle sends left `sending` by a dead worker (lease expired): `failed`, error `interrupted`,
 *    never resent (the message may have been delivered); the contact moves on to its next step.
 * 2. load the state the planner needs (active campaigns inside a window, their campaign
 *    mailboxes with 24 h counts, due contacts per sticky sender) — reads follow the due work.
 * 3. `plan(state, now, rng)`.
 * 4. the reservations: compare-and-set on `next_available_at` (one batch for all), then in one
 *    write batch for every slot won the send rows (`scheduled`, with our Message-ID and a
 *    reservation token; the 24 h limits and the suppression list re-checked inside the
 *    statement), the rotation counter and the contacts (sticky sender, held).
 * 5. hand the reserved sends to this worker's per-mailbox queues (`Deliveries`): serial per
 *    mailbox over one pooled connection, parallel across mailboxes (bounded). Each send is
 *    claimed `scheduled → sending` just before its message goes to SMTP, and its outcome is
 *    written as soon as SMTP answers, together with the next claim (`deliver.ts`). The loop does
 *    not wait for the queues (a tick costs what its planning and reservations cost); tests and
 *    simulations do (`awaitDelivery`).
 * 6. contacts with no step left → completed; campaigns with nobody left → completed.
 *
 * Exactly once: unique (contact, step) on `sends`; a row is handed to SMTP only by the worker
 * whose claim moved it to `sending`; a `sending` row whose lease ran out is never claimed again
 * (settled `interrupted`). A worker killed at any point leaves at most one message per mailbox
 * in doubt (`interrupted`, reported apart from failures); everything else it had reserved is
 * still `scheduled` and is sent once by the next worker to reserve it.
 *
 * Modules: state.ts (2), reserve.ts (4), queues.ts + deliver.ts (5), record.ts (outcomes),
 * recover.ts (1), transport-pool.ts (SMTP senders); the message itself: shared domain/mime.ts.
 */
import type { Deps } from '@outreach/shared';
import { type Decisions, plan } from './plan';
import { Deliveries } from './queues';
import { completeContact } from './record';
import { settleInterrupted } from './recover';
import { rehomeDetached } from './rehome';
import { loadMailboxes, loadThreads, reserveAll } from './reserve';
import { loadState } from './state';
import { completeCampaign } from './status';
import { suppressContacts } from './suppressed';
import { smtpTransportPool } from './transport-pool';
import {
  DEFAULTS,
  type DispatchOptions,
  emptyReport,
  num,
  type ReservedSend,
  type ResolvedOptions,
  type TickReport,
} from './types';

/**
 * One worker's sending engine: its per-mailbox queues and its SMTP transports live here, owned
 * by the loop that made it (no module-level state), so two workers in one process stay apart.
 */
export class Dispatcher {
  private readonly deliveries: Deliveries;
  private readonly opts: ResolvedOptions;
  private readonly ownsTransports: boolean;

  constructor(
    private readonly deps: Deps,
    options: DispatchOptions = {},
  ) {
    this.ownsTransports = !options.transports;
    this.opts = {
      ...DEFAULTS,
      ...options,
      transports:
        options.transports ??
        smtpTransportPool({
          timeoutMs: deps.config.smtpTimeoutMs,
          allowPrivate: deps.config.mailboxAllowPrivate,
        }),
    };
    this.deliveries = new Deliveries(
      deps,
      this.opts.maxParallelMailboxes,
      Math.ceil(this.opts.maxBatch / 2),
      () => this.opts.wake?.(),
    );
  }

  /** One tick; `overrides` change this tick's options (not the queues or the transports). */
  async tick(
    overrides: Omit<DispatchOptions, 'transports' | 'maxParallelMailboxes' | 'wake'> = {},
  ): Promise<TickReport> {
    return dispatchTick(this.deps, { ...this.opts, ...overrides }, this.deliveries);
  }

  /** Waits for the queued sends to be delivered (graceful stop). */
  drain(): Promise<void> {
    return this.deliveries.drain();
  }

  /**
   * Graceful stop: the messages in flight finish and are recorded, the queued ones are handed
   * back (still `scheduled`, due again), then the SMTP connections this dispatcher opened close.
   */
  async close(): Promise<void> {
    await this.deliveries.stop();
    if (this.ownsTransports) this.opts.transports.closeAll();
  }
}

/** One tick with a dispatcher of its own, its deliveries awaited (tests, one-off runs). */
export async function runDispatchTick(deps: Deps, options: DispatchOptions = {}): Promise<TickReport> {
  const dispatcher = new Dispatcher(deps, options);
  try {
    return await dispatcher.tick();
  } finally {
    await dispatcher.close();
  }
}

async function dispatchTick(deps: Deps, opts: ResolvedOptions, deliveries: Deliveries): Promise<TickReport> {
  const report = emptyReport();
  const now = deps.clock.now();
  report.interrupted = await settleInterrupted(deps, now);

  const busy = (mailboxId: string) => deliveries.busy(mailboxId);
  let loaded = await loadState(deps, now, opts.maxBatch, busy);
  if (loaded.suppressed?.length) await suppressContacts(deps, loaded.suppressed, now);
  if (await rehomeDetached(deps, loaded, now)) loaded = await loadState(deps, now, opts.maxBatch, busy);
  const decisions: Decisions = plan(loaded.plan, now, deps.rng, { maxBatch: opts.maxBatch });

  for (const f of decisions.finished) {
    await completeContact(deps, f, now);
    report.completedContacts++;
  }

  let queued = new Map<string, ReservedSend[]>();
  if (decisions.reservations.length > 0) {
    const mailboxes = await loadMailboxes(deps, [...new Set(decisions.reservations.map((r) => r.mailboxId))]);
    const planned = decisions.reservations.flatMap((r) => {
      const mailbox = mailboxes.get(r.mailboxId);
      return mailbox ? [{ mailbox, r }] : [];
    });
    const reserved = await reserveAll(deps, loaded, planned, now, opts.holdMs, opts.workerId);
    report.reserved = reserved.length;
    const threads = await loadThreads(
      deps,
      reserved.filter((s) => s.contact.currentStep > 0 && !s.contact.threadRefs).map((s) => s.contact.id),
    );
    const byMailbox = new Map<string, ReservedSend[]>();
    for (const s of reserved) {
      s.earlier = s.contact.threadRefs ?? threads.get(s.contact.id) ?? [];
      byMailbox.set(s.mailbox.id, [...(byMailbox.get(s.mailbox.id) ?? []), s]);
    }
    await opts.onReserved?.(reserved.map((s) => ({ sendId: s.sendId, contactId: s.contact.id })));
    queued = byMailbox;
  }

  // Serial per mailbox (its queue in priority order), parallel across mailboxes, bounded. The
  // loop hands the sends over last, so their first claims do not interleave with this tick's
  // reads; a tick that waits for delivery (tests) checks for finished campaigns after it.
  const handOver = () => {
    for (const [mailboxId, sends] of queued) deliveries.enqueue(mailboxId, sends, report, opts);
  };
  if (opts.awaitDelivery && queued.size > 0) {
    handOver();
    await deliveries.drain();
  }
  report.completedCampaigns = await completeFinishedCampaigns(
    deps,
    loaded.activeCampaignIds,
    deps.clock.now(),
  );
  if (!opts.awaitDelivery) handOver();
  return report;
}

/** Active campaigns where nobody has a step left (no contact active or pending) become completed. */
export async function completeFinishedCampaigns(
  deps: Deps,
  campaignIds: string[],
  _now: number,
): Promise<string[]> {
  if (campaignIds.length === 0) return [];
  const res = await deps.db.client.execute({
    sql: `SELECT k.id, k.workspace_id FROM campaigns k
          WHERE k.id IN (SELECT value FROM json_each(?)) AND k.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = k.id AND c.status IN ('active', 'pending'))
            AND NOT EXISTS (SELECT 1 FROM sends s WHERE s.campaign_id = k.id AND s.status IN ('scheduled', 'sending'))`,
    args: [JSON.stringify(campaignIds)],
  });
  const done: string[] = [];
  for (const r of res.rows) {
    try {
      await completeCampaign(deps, num(r.workspace_id), String(r.id));
      done.push(String(r.id));
    } catch (err) {
      // another worker completed it first
      if ((err as { code?: string }).code !== 'invalid_transition') {
        deps.log.warn('campaign completion failed', { campaignId: String(r.id), err });
      }
    }
  }
  return done;
}
