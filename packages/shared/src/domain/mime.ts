/**
 * One outgoing message, built from a step (or its variant), the contact, the sender and the
 * thread so far. Pure: the caller passes the unsubscribe targets (they need the secret key).
 */
import type { Variant } from '../db/schema/campaigns';
import { subsequenceSubject } from './subsequence-routing';
import { renderStep, type StepTemplate, templateVars } from './template';

/** One outgoing message, already rendered. */
export interface OutgoingMail {
  from: { name: string; address: string };
  to: string;
  subject: string;
  html: string;
  text: string;
  /** with angle brackets: `<snd_…@domain>`. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** extra headers (List-Unsubscribe, List-Unsubscribe-Post, X-Outreach-Send-Id). */
  headers: Record<string, string>;
}

export interface MailSender {
  address: string;
  firstName: string;
  lastName: string | null;
  signatureHtml: string | null;
}

export interface MailInput {
  sendId: string;
  messageId: string;
  contact: {
    email: string;
    firstName: string | null;
    lastName: string | null;
    customJson: Record<string, unknown>;
    /**
     * A subsequence contact's thread: a step without a subject sends `Re: <subject>` (the
     * thread's, shown as is), or before any thread `Re: ` + the main sequence's first subject
     * (a template, rendered).
     */
    thread?: { subject: string | null; originSubject: string | null };
  };
  step: StepTemplate & { bodyText: string | null; fullVariants: Variant[] };
  variantId: string | null;
  sender: MailSender;
  /** Message-IDs of the contact's earlier messages, oldest first (In-Reply-To/References). */
  earlier: string[];
  unsubscribe: { url: string; header: string };
}

/** Renders the message; throws when the template cannot render (the send fails for good). */
export function buildMail(m: MailInput): OutgoingMail {
  const variant = m.variantId ? m.step.fullVariants.find((v) => v.id === m.variantId) : undefined;
  const vars = templateVars(
    m.contact,
    {
      firstName: m.sender.firstName,
      lastName: m.sender.lastName,
      email: m.sender.address,
      signatureHtml: m.sender.signatureHtml,
    },
    { unsubscribeUrl: m.unsubscribe.url },
  );
  const rendered = renderStep(
    {
      subject: variant?.subject ?? m.step.subject,
      bodyHtml: variant?.bodyHtml ?? m.step.bodyHtml,
      // a variant without its own text part derives it from its HTML, unless it keeps the step's HTML
      bodyText: variant ? (variant.bodyText ?? (variant.bodyHtml ? null : m.step.bodyText)) : m.step.bodyText,
    },
    vars,
  );
  let subject = rendered.subject;
  if (subject.trim() === '' && m.contact.thread) {
    const own = (m.contact.thread.subject ?? '').replace(/[\r\n]+/g, ' ').trim();
    const origin = m.contact.thread.originSubject
      ? renderStep({ subject: m.contact.thread.originSubject, bodyHtml: '', bodyText: '' }, vars).subject
      : '';
    subject = subsequenceSubject('', own || null, origin && m.earlier.length > 0 ? `Re: ${origin}` : origin);
  }
  const mail: OutgoingMail = {
    from: {
      name: [m.sender.firstName, m.sender.lastName].filter(Boolean).join(' '),
      address: m.sender.address,
    },
    to: m.contact.email,
    subject,
    html: rendered.bodyHtml,
    text: rendered.bodyText,
    messageId: m.messageId,
    headers: {
      'X-Outreach-Send-Id': m.sendId,
      'List-Unsubscribe': m.unsubscribe.header,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
  if (m.earlier.length > 0) {
    mail.inReplyTo = m.earlier[m.earlier.length - 1]!;
    mail.references = m.earlier;
  }
  return mail;
}
