/**
 * Prometheus metrics: one registry per process, the named series every part records into.
 *
 * Two kinds of series:
 * - process counters (HTTP, loop ticks, SMTP answers, IMAP reads, webhook deliveries): counted
 *   where the work happens, so `/metrics` shows what *this* process did (`outreach start` runs
 *   API and worker in one process, so both appear; a separate `outreach work` counts its own).
 * - database gauges (queue depth, pending sends, due contacts, import rows): read from the
 *   database at scrape time (`collectDbGauges`), so any API process reports them for every
 *   worker sharing the database.
 *
 * Label values are ids and fixed enums, never email addresses.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
/** The database gauges: read fresh by the process that answers a scrape, never summed across processes. */
export const dbMetricsRegistry = new Registry();

const registers = [metricsRegistry];
const dbRegisters = [dbMetricsRegistry];
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const metrics = {
  httpRequests: new Counter({
    name: 'outreach_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  }),
  httpDuration: new Histogram({
    name: 'outreach_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers,
  }),
  loopTickDuration: new Histogram({
    name: 'outreach_loop_tick_duration_seconds',
    help: 'Worker loop tick duration (loop="dispatch" is the dispatch tick), by result ok|error',
    labelNames: ['loop', 'result'] as const,
    buckets: SECONDS,
    registers,
  }),
  dispatchReserved: new Counter({
    name: 'outreach_dispatch_reserved_total',
    help: 'Sends reserved (claimed for delivery) by dispatch ticks of this process',
    registers,
  }),
  dispatchInterrupted: new Counter({
    name: 'outreach_dispatch_interrupted_total',
    help: 'Sends left `sending` by a dead worker and settled failed/interrupted by this process',
    registers,
  }),
  dispatchCompletedContacts: new Counter({
    name: 'outreach_dispatch_completed_contacts_total',
    help: 'Contacts that finished their sequence in dispatch ticks of this process',
    registers,
  }),
  smtpSends: new Counter({
    name: 'outreach_smtp_sends_total',
    help: 'SMTP answers per mailbox: accepted, rejected (5xx, a bounce) or deferred (4xx, connection, timeout)',
    labelNames: ['mailbox_id', 'outcome'] as const,
    registers,
  }),
  smtpDuration: new Histogram({
    name: 'outreach_smtp_send_duration_seconds',
    help: 'Time SMTP took to answer one message, by outcome',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers,
  }),
  imapReads: new Counter({
    name: 'outreach_imap_reads_total',
    help: 'IMAP reads (one poll of one folder) per mailbox',
    labelNames: ['mailbox_id'] as const,
    registers,
  }),
  imapMessages: new Counter({
    name: 'outreach_imap_messages_total',
    help: 'Messages fetched over IMAP per mailbox, by outcome (stored, unmatched, duplicate, unreadable)',
    labelNames: ['mailbox_id', 'kind'] as const,
    registers,
  }),
  imapErrors: new Counter({
    name: 'outreach_imap_errors_total',
    help: 'IMAP reads that failed per mailbox',
    labelNames: ['mailbox_id'] as const,
    registers,
  }),
  webhookDeliveries: new Counter({
    name: 'outreach_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  webhookDuration: new Histogram({
    name: 'outreach_webhook_delivery_duration_seconds',
    help: 'Webhook delivery latency by outcome',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers,
  }),
  // database gauges, set by collectDbGauges at scrape time
  jobs: new Gauge({
    name: 'outreach_jobs',
    help: 'Background jobs waiting or running, by kind and state (queue depth; from the database)',
    labelNames: ['kind', 'state'] as const,
    registers: dbRegisters,
  }),
  sendsPending: new Gauge({
    name: 'outreach_sends_pending',
    help: 'Sends reserved but not settled, by status scheduled|sending (from the database)',
    labelNames: ['status'] as const,
    registers: dbRegisters,
  }),
  contactsDue: new Gauge({
    name: 'outreach_contacts_due',
    help: 'Active contacts whose next step is due now (from the database)',
    registers: dbRegisters,
  }),
  importRows: new Gauge({
    name: 'outreach_import_rows',
    help: 'Rows of all imports so far by outcome imported|invalid (cumulative; from the database)',
    labelNames: ['outcome'] as const,
    registers: dbRegisters,
  }),
  scrapeErrors: new Counter({
    name: 'outreach_metrics_db_errors_total',
    help: 'Scrapes whose database gauges could not be read',
    registers: dbRegisters,
  }),
};

/** Reads the database gauges; a failure is counted and the gauges keep their last values. */
export async function collectDbGauges(db: Db, now: number): Promise<void> {
  try {
    const [jobs, sends, due, imports] = await db.client.batch(
      [
        `SELECT kind, state, count(*) AS n FROM jobs WHERE state IN ('queued', 'retry', 'running') GROUP BY kind, state`,
        `SELECT status, count(*) AS n FROM sends WHERE status IN ('scheduled', 'sending') GROUP BY status`,
        {
          sql: `SELECT count(*) AS n FROM contacts WHERE status = 'active' AND next_send_at <= ?`,
          args: [now],
        },
        'SELECT coalesce(sum(imported), 0) AS imported, coalesce(sum(invalid), 0) AS invalid FROM imports',
      ],
      'read',
    );
    metrics.jobs.reset();
    for (const r of jobs!.rows)
      metrics.jobs.set({ kind: String(r.kind), state: String(r.state) }, Number(r.n));
    metrics.sendsPending.reset();
    for (const status of ['scheduled', 'sending']) metrics.sendsPending.set({ status }, 0);
    for (const r of sends!.rows) metrics.sendsPending.set({ status: String(r.status) }, Number(r.n));
    metrics.contactsDue.set(Number(due!.rows[0]?.n ?? 0));
    metrics.importRows.set({ outcome: 'imported' }, Number(imports!.rows[0]?.imported ?? 0));
    metrics.importRows.set({ outcome: 'invalid' }, Number(imports!.rows[0]?.invalid ?? 0));
  } catch {
    metrics.scrapeErrors.inc();
  }
}
