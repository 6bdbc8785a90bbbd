/** The SMTP senders of one worker: a pooled nodemailer transport per mailbox, kept across ticks. */
import { type MailTransport, smtpMailTransport } from '../adapters/smtp';
import { countedTransport } from '../metrics';
import type { TransportPool } from './types';

/** One transport per mailbox, renewed when the mailbox's settings change (its `updatedAt`). */
export function smtpTransportPool(opts: { timeoutMs?: number } = {}): TransportPool {
  const cache = new Map<string, { version: number; transport: MailTransport }>();
  return {
    get(mailbox, password) {
      const hit = cache.get(mailbox.id);
      if (hit && hit.version === mailbox.updatedAt) return hit.transport;
      hit?.transport.close();
      // counted per mailbox id for /metrics
      const transport = countedTransport(
        mailbox.id,
        smtpMailTransport({ ...mailbox.smtp, password: password() }, opts),
      );
      cache.set(mailbox.id, { version: mailbox.updatedAt, transport });
      return transport;
    },
    closeAll() {
      for (const { transport } of cache.values()) transport.close();
      cache.clear();
    },
  };
}
