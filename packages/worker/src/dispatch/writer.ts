/**
 * Group commit for the delivery queues: every mailbox hands in one write at a time (the outcome
 * of its last message and the claim of its next); writes that arrive while one is committing go
 * together in the next transaction. So writes are batched across mailboxes, never across one
 * mailbox's messages, and each outcome is on disk as soon as its transaction commits.
 *
 * A commit waits (at most `maxWaitMs`) until every running queue has handed in its write: most
 * of a send's database cost is its commit (SQLite writes each touched page once per commit), so
 * the SMTP answers of several mailboxes share one. Nothing is held back longer than that: each
 * outcome is still written as soon as its mailbox's SMTP server answered, plus that wait, and a
 * crash meanwhile leaves one message per mailbox in doubt at most, as before.
 */
import type { ResultSet } from '@libsql/client';
import type { Deps } from '@outreach/shared';
import type { Stmt } from './types';

interface Pending {
  stmts: Stmt[];
  resolve: (r: ResultSet[]) => void;
  reject: (err: unknown) => void;
}

export class GroupWriter {
  private pending: Pending[] = [];
  private committing = false;
  private timer: NodeJS.Timeout | null = null;

  /** `writers`: how many queues may hand in a write now (the commit need not wait for more). */
  constructor(
    private readonly deps: Deps,
    private readonly writers: () => number = () => 1,
    private readonly maxWaitMs = 2,
  ) {}

  /** Runs `stmts` atomically (with other mailboxes' writes); resolves with their results. */
  write(stmts: Stmt[]): Promise<ResultSet[]> {
    if (stmts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ stmts, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.committing || this.pending.length === 0) return;
    if (this.pending.length >= this.writers()) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.committing = true;
      setImmediate(() => void this.commit());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.committing || this.pending.length === 0) return;
        this.committing = true;
        void this.commit();
      }, this.maxWaitMs);
    }
  }

  private async commit(): Promise<void> {
    try {
      const groups = this.pending.splice(0);
      try {
        const results = await this.batch(groups.flatMap((g) => g.stmts));
        let at = 0;
        for (const g of groups) {
          g.resolve(results.slice(at, at + g.stmts.length));
          at += g.stmts.length;
        }
      } catch (err) {
        if (groups.length === 1) groups[0]!.reject(err);
        // one mailbox's bad write must not fail the others': each on its own
        else for (const g of groups) await this.batch(g.stmts).then(g.resolve, g.reject);
      }
    } finally {
      this.committing = false;
      this.schedule();
    }
  }

  /** Outcomes of messages SMTP accepted are recorded even if the database is busy for a while. */
  private async batch(stmts: Stmt[]): Promise<ResultSet[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.db.client.batch(stmts, 'write');
      } catch (err) {
        if (attempt >= 5) throw err;
        this.deps.log.warn('dispatch write failed, retrying', { attempt, err });
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}
