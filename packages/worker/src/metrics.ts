/**
 * The worker's records into the process metrics (`@outreach/shared` metrics): loop ticks, the
 * dispatch tick report, and every SMTP answer per mailbox (wrapping the mailbox's transport, so
 * the dispatch internals need not know about metrics).
 */
import { metrics } from '@outreach/shared';
import type { MailTransport } from './adapters/smtp';

export function observeTick(loop: string, result: 'ok' | 'error', seconds: number): void {
  metrics.loopTickDuration.observe({ loop, result }, seconds);
}

/** What a dispatch tick reports as soon as it returns (deliveries finish later, counted per SMTP answer). */
export function recordDispatchTick(report: {
  reserved: number;
  interrupted: number;
  completedContacts: number;
}): void {
  metrics.dispatchReserved.inc(report.reserved);
  metrics.dispatchInterrupted.inc(report.interrupted);
  metrics.dispatchCompletedContacts.inc(report.completedContacts);
}

/** A transport that counts its answers under the mailbox's id (never its address). */
export function countedTransport(mailboxId: string, inner: MailTransport): MailTransport {
  return {
    async send(mail) {
      const t0 = performance.now();
      let outcome: 'accepted' | 'rejected' | 'deferred' = 'deferred';
      try {
        const res = await inner.send(mail);
        outcome = res.ok ? 'accepted' : res.permanent ? 'rejected' : 'deferred';
        return res;
      } finally {
        metrics.smtpSends.inc({ mailbox_id: mailboxId, outcome });
        metrics.smtpDuration.observe({ outcome }, (performance.now() - t0) / 1000);
      }
    },
    close: () => inner.close(),
  };
}
