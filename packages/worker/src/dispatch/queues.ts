import type { Deps } from '@outreach/shared';
import { deliverChunk } from './deliver';
import type { ReservedSend, ResolvedOptions, TickReport } from './types';

/**
 * The per-worker sending queues: one per mailbox, worked serially (one pooled connection), up to
 * `maxParallelMailboxes` mailboxes at once. Ticks hand reserved sends over and need not wait.
 */
export class Deliveries {
  private queues = new Map<string, { s: ReservedSend; report: TickReport; opts: ResolvedOptions }[]>();
  private running = new Map<string, Promise<void>>();
  private waiting: string[] = [];
  constructor(
    private deps: Deps,
    private maxParallel: number,
  ) {}

  busy(mailboxId: string): boolean {
    return this.running.has(mailboxId) || (this.queues.get(mailboxId)?.length ?? 0) > 0;
  }

  enqueue(mailboxId: string, sends: ReservedSend[], report: TickReport, opts: ResolvedOptions): void {
    const q = this.queues.get(mailboxId) ?? [];
    for (const s of sends) q.push({ s, report, opts });
    this.queues.set(mailboxId, q);
    if (this.running.has(mailboxId) || this.waiting.includes(mailboxId)) return;
    if (this.running.size < this.maxParallel) this.start(mailboxId);
    else this.waiting.push(mailboxId);
  }

  private start(mailboxId: string): void {
    const run = (async () => {
      const q = this.queues.get(mailboxId)!;
      while (q.length > 0) {
        const batch = q.splice(0, q[0]!.opts.chunkSize);
        // one chunk per tick (its options and report)
        const byReport = new Map<TickReport, { opts: ResolvedOptions; sends: ReservedSend[] }>();
        for (const { s, report, opts } of batch) {
          const g = byReport.get(report) ?? { opts, sends: [] };
          g.sends.push(s);
          byReport.set(report, g);
        }
        for (const [report, { opts, sends }] of byReport) {
          try {
            await deliverChunk(this.deps, opts, sends, report);
          } catch (err) {
            this.deps.log.error('sending chunk failed', { mailboxId, err });
          }
        }
      }
    })();
    this.running.set(mailboxId, run);
    void run.finally(() => {
      this.running.delete(mailboxId);
      if ((this.queues.get(mailboxId)?.length ?? 0) > 0) this.waiting.push(mailboxId);
      const next = this.waiting.shift();
      if (next) this.start(next);
    });
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
