import type { ReplySender } from '@outreach/shared';
import { classifySmtpError, smtpTransport } from '@outreach/worker/adapters/smtp';
import { composeMessage } from '@outreach/worker/adapters/smtp-message';

/** Unibox replies leave through the worker's SMTP adapter, one connection per reply. */
export const smtpReplySender: ReplySender = {
  async send(account, mail) {
    const transport = smtpTransport(account, { timeoutMs: 15_000 });
    try {
      // the same one-pass MIME text as the sending loop's (smtp-message.ts)
      await transport.sendMail(
        composeMessage({ ...mail, inReplyTo: mail.inReplyTo ?? undefined, headers: {} }),
      );
      return { ok: true };
    } catch (err) {
      const outcome = classifySmtpError(err);
      const auth =
        (err as { code?: string })?.code === 'EAUTH' || (err as { code?: string })?.code === 'ECONNECTION';
      return { ok: false, permanent: outcome.permanent, auth, error: outcome.error };
    } finally {
      transport.close();
    }
  },
};
