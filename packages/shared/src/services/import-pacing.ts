/**
 * How an import shares SQLite's one writer with the sending loop.
 *
 * A message's claim and outcome must be written before and after its SMTP hand-over, so every
 * message waits for the writer twice; an import that holds it for 1,000 rows at a time (~20 ms,
 * longer as the table grows) stalls every mailbox for that long, and a writer that finds it taken
 * polls again after 1, 2, 5, 10 … ms, so it misses short gaps (bench/import-while-sending.ts:
 * sending fell to 23 % of its rate alone during a 1M-row import). So while messages are in flight
 * an import writes in transactions of about {@link SHARED_TX_MS} (rows per transaction follow the
 * last one's time) and leaves the writer free for twice as long as it held it; with no message in
 * flight it writes 1,000 rows at a time, as fast as it can.
 */
import type { Db } from '../db/client';
import { UPSERT_CHUNK } from './contacts';

/** ms the import leaves the database writer free between its write transactions. */
export const WRITER_GAP_MS = 3;
/** While messages go out: the length of one import write transaction to aim for, in ms. */
export const SHARED_TX_MS = 2;
const MIN_ROWS = 25;
/** How often the import asks whether messages are in flight, in ms. */
const CHECK_EVERY_MS = 250;

export class ImportPacing {
  private sharedRows = 200;
  private sending = false;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly elapsedMs: () => number = () => performance.now(),
  ) {}

  /** Rows for the next write transaction. */
  async rowsPerTx(): Promise<number> {
    const now = this.elapsedMs();
    if (now - this.checkedAt >= CHECK_EVERY_MS) {
      this.checkedAt = now;
      // a send is `sending` from its claim until its outcome is written (sends_status_lease)
      const [row] = await this.db.read({
        sql: `SELECT EXISTS (SELECT 1 FROM sends WHERE status = 'sending')`,
        args: [],
      });
      this.sending = Number(row?.[0]) === 1;
    }
    return this.sending ? this.sharedRows : UPSERT_CHUNK;
  }

  /** The pause, in ms, after a write transaction of `rows` that took `ms`. */
  pauseAfter(rows: number, ms: number): number {
    if (!this.sending) return WRITER_GAP_MS;
    const perRow = Math.max(ms, 0.05) / Math.max(rows, 1);
    this.sharedRows = Math.max(MIN_ROWS, Math.min(UPSERT_CHUNK, Math.round(SHARED_TX_MS / perRow)));
    return Math.max(WRITER_GAP_MS, 2 * ms);
  }
}
