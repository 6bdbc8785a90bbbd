import type { MailboxChecker } from '@outreach/shared';
import { verifyImap } from '@outreach/worker/adapters/imap';
import { verifySmtp } from '@outreach/worker/adapters/smtp';

/** Live SMTP and IMAP logins through the worker's adapters (nodemailer, imapflow). */
export const liveMailboxChecker: MailboxChecker = {
  smtp: (settings, password, timeoutMs) => verifySmtp(settings, password, timeoutMs),
  imap: (settings, password, timeoutMs) => verifyImap(settings, password, timeoutMs),
};
