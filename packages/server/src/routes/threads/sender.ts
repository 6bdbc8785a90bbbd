import type { ReplySender } from '@outreach/shared';
import { classifySmtpError, smtpTransport } from '@outreach/worker/adapters/smtp';

/** Unibox replies leave through the worker's SMTP adapter, one connection per reply. */
export const smtpReplySender: ReplySender = {
  async send(account, mail) {
    const transport = smtpTransport(account, { timeoutMs: 15_000 });
    try {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo ?? undefined,
        references: mail.references,
      });
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
