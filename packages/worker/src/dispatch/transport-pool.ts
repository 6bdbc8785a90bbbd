/**
 * The SMTP senders of one worker: a pooled nodemailer transport per mailbox, kept across ticks.
 * A transport is made for the address its mailbox's host resolves to when it is made, checked
 * as every outbound connection is (net/ssrf.ts): a name that has come to point at a private
 * address since the mailbox was saved is refused, and the connection never looks the name up
 * again (TLS still checks the certificate against the name).
 */
import { checkHost, type Lookup } from '@outreach/shared';
import { type MailTransport, smtpMailTransport } from '../adapters/smtp';
import { countedTransport } from '../metrics';
import type { TransportPool } from './types';

export interface TransportPoolOptions {
  /** private and loopback SMTP hosts are allowed (OUTREACH_MAILBOX_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  timeoutMs?: number;
  /** DNS (tests) */
  lookup?: Lookup;
}

/** One transport per mailbox, renewed when the mailbox's settings change (its `updatedAt`). */
export function smtpTransportPool(opts: TransportPoolOptions): TransportPool {
  const cache = new Map<string, { version: number; transport: Promise<MailTransport> }>();
  const make = async (mailbox: Parameters<TransportPool['get']>[0], password: string) => {
    const host = mailbox.smtp.host;
    const checked = await checkHost(host, { allowPrivate: opts.allowPrivate, lookup: opts.lookup });
    if (!checked.ok) throw new Error(checked.reason);
    // counted per mailbox id for /metrics
    return countedTransport(
      mailbox.id,
      smtpMailTransport(
        { ...mailbox.smtp, host: checked.address, servername: host, password },
        { timeoutMs: opts.timeoutMs },
      ),
    );
  };
  return {
    get(mailbox, password) {
      const hit = cache.get(mailbox.id);
      if (hit && hit.version === mailbox.updatedAt) return hit.transport;
      void hit?.transport.then(
        (t) => t.close(),
        () => {},
      );
      const transport = make(mailbox, password());
      cache.set(mailbox.id, { version: mailbox.updatedAt, transport });
      // a refused or unresolvable host is asked again for the next message
      transport.catch(() => {
        if (cache.get(mailbox.id)?.transport === transport) cache.delete(mailbox.id);
      });
      return transport;
    },
    closeAll() {
      for (const { transport } of cache.values())
        void transport.then(
          (t) => t.close(),
          () => {},
        );
      cache.clear();
    },
  };
}
