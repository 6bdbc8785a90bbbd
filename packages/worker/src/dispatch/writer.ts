/**
 * Group commit for the delivery queues: every mailbox hands in one write at a time (the outcome
 * of its last message and the claim of its next); writes that arrive while one is committing go
 * together in the next transaction. So writes are batched across mailboxes, never across one
 * mailbox's messages, and each outcome is on disk as soon as its transaction commits.
 *
 * A commit starts on `setImmediate`, after the event loop has run every I/O callback that was
 * ready: the SMTP answers of several mailboxes that came in together share one transaction
 * (SQLite writes each touched page once per commit, and most of a send's cost is its commit).
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

  constructor(private readonly deps: Deps) {}

  /** Runs `stmts` atomically (with other mailboxes' writes); resolves with their results. */
  write(stmts: Stmt[]): Promise<ResultSet[]> {
    if (stmts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ stmts, resolve, reject });
      if (!this.committing) {
        this.committing = true;
        setImmediate(() => void this.commit());
      }
    });
  }

  private async commit(): Promise<void> {
    try {
      while (this.pending.length > 0) {
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
      }
    } finally {
      this.committing = false;
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
