/**
 * The per-worker sending queues: one per mailbox, worked serially (one pooled connection), up to
 * `maxParallelMailboxes` mailboxes at once. Ticks hand reserved sends over and need not wait.
 * A mailbox takes its next reservation while fewer than `lowWater` sends wait in its queue (the
 * last ones still sending), and `onLow` tells the loop when a queue drops below that: so a mailbox
 * with more due work is refilled before it runs dry, not one loop interval later.
 * On a graceful stop each queue finishes the message in flight and hands the rest back at once
 * (still `scheduled`, due again), so nothing is left `sending` and another worker can go on.
 */
import type { Deps } from '@outreach/shared';
import { deliverQueue, type QueuedSend } from './deliver';
import type { ReservedSend, ResolvedOptions, TickReport } from './types';
import { GroupWriter } from './writer';

export class Deliveries {
  private queues = new Map<string, QueuedSend[]>();
  private running = new Map<string, Promise<void>>();
  private waiting: string[] = [];
  private stopping = false;
  private readonly writer: GroupWriter;

  constructor(
    private deps: Deps,
    private maxParallel: number,
    private readonly lowWater: number,
    private readonly onLow: () => void,
  ) {
    // a commit waits for the other running queues' writes (briefly): see writer.ts
    this.writer = new GroupWriter(deps, () => this.running.size);
  }

  /** Whether the mailbox has enough waiting in this worker's queue to leave it out of a tick. */
  busy(mailboxId: string): boolean {
    return (this.queues.get(mailboxId)?.length ?? 0) >= this.lowWater;
  }

  enqueue(mailboxId: string, sends: ReservedSend[], report: TickReport, opts: ResolvedOptions): void {
    const q = this.queues.get(mailboxId) ?? [];
    for (const s of sends) q.push({ s, report, opts });
    this.queues.set(mailboxId, q);
    if (this.stopping) {
      void this.release(q.splice(0));
      return;
    }
    if (this.running.has(mailboxId) || this.waiting.includes(mailboxId)) return;
    if (this.running.size < this.maxParallel) this.start(mailboxId);
    else this.waiting.push(mailboxId);
  }

  private start(mailboxId: string): void {
    const run = (async () => {
      const q = this.queues.get(mailboxId)!;
      const left = await deliverQueue(
        this.deps,
        this.writer,
        q,
        () => this.stopping,
        () => {
          if (q.length === this.lowWater - 1 && !this.stopping) this.onLow();
        },
      );
      await this.release(left);
    })().catch((err) => this.deps.log.error('mailbox queue failed', { mailboxId, err }));
    this.running.set(mailboxId, run);
    void run.finally(() => {
      this.running.delete(mailboxId);
      if (!this.stopping && (this.queues.get(mailboxId)?.length ?? 0) > 0) this.waiting.push(mailboxId);
      const next = this.stopping ? undefined : this.waiting.shift();
      if (next) this.start(next);
    });
  }

  /** Unclaimed sends back to their contacts: the rows stay `scheduled`, the contacts due now. */
  private async release(left: QueuedSend[]): Promise<void> {
    if (left.length === 0) return;
    const now = this.deps.clock.now();
    const mine = JSON.stringify(left.map((q) => [q.s.sendId, q.s.token, q.s.contact.id]));
    await this.writer.write([
      {
        sql: `UPDATE contacts SET next_send_at = ?, updated_at = ?
              FROM json_each(?) j
              WHERE contacts.id = j.value->>2 AND contacts.status = 'active' AND EXISTS (
                SELECT 1 FROM sends s WHERE s.id = j.value->>0 AND s.lease_id = j.value->>1 AND s.status = 'scheduled')`,
        args: [now, now, mine],
      },
      {
        sql: `UPDATE sends SET lease_id = NULL, lease_until = NULL, updated_at = ?
              FROM json_each(?) j WHERE sends.id = j.value->>0 AND sends.lease_id = j.value->>1
                AND sends.status = 'scheduled'`,
        args: [now, mine],
      },
    ]);
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Graceful stop: the messages in flight finish and are recorded, the rest is handed back. */
  async stop(): Promise<void> {
    this.stopping = true;
    const queued = [...this.queues.entries()].filter(([id]) => !this.running.has(id));
    this.waiting = [];
    for (const [, q] of queued) await this.release(q.splice(0));
    await this.drain();
  }
}
