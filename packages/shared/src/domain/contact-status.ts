/**
 * Which status moves a user may ask for on one contact (PATCH). The suppression list is the
 * last word: while it holds the address (or its domain), a contact cannot leave `suppressed` or
 * `unsubscribed`, nor become sendable again (`pending`, `active`) from any status; removing the
 * suppression is the way back. A `bounced` address stays bounced unless the same edit corrects
 * the email. Moves the engine makes (replies, bounces, suppressions) do not come through here.
 */
import type { ContactStatus } from '../db/schema/contacts';

/** Statuses from which the dispatch loop would mail the contact again. */
export const SENDABLE_CONTACT_STATUSES: readonly ContactStatus[] = ['pending', 'active'];
/** Statuses the suppression list holds a contact in. */
const HELD_BY_SUPPRESSION: readonly ContactStatus[] = ['suppressed', 'unsubscribed'];

export interface SuppressionHit {
  source: 'email' | 'domain';
  reason: string;
}

export interface StatusRefusal {
  code: 'contact_suppressed' | 'contact_bounced';
  message: string;
}

export function manualStatusRefusal(input: {
  email: string;
  from: ContactStatus;
  to: ContactStatus;
  /** the same edit changes the contact's email (a corrected address). */
  emailChanged: boolean;
  /** the suppression holding the (resulting) address, if any. */
  suppression: SuppressionHit | null;
}): StatusRefusal | null {
  const { email, from, to, suppression } = input;
  if (from === to) return null;
  if (suppression && (HELD_BY_SUPPRESSION.includes(from) || SENDABLE_CONTACT_STATUSES.includes(to))) {
    const what =
      suppression.source === 'email'
        ? `${email} is on the suppression list`
        : `the domain of ${email} is on the suppression list`;
    const param =
      suppression.source === 'email' ? `email=${email}` : `domain=${email.slice(email.lastIndexOf('@') + 1)}`;
    return {
      code: 'contact_suppressed',
      message: `${what} (reason: ${suppression.reason}): remove the suppression (DELETE /campaigns/suppressions?${param}) to move this contact from ${from} to ${to}`,
    };
  }
  if (from === 'bounced' && !input.emailChanged) {
    return {
      code: 'contact_bounced',
      message: `${email} bounced: a bounced contact keeps its status unless the same request corrects its email`,
    };
  }
  return null;
}
