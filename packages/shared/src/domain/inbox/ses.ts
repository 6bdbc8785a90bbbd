/**
 * Amazon SES notifications delivered by mail (SNS → email): a JSON body with `notificationType`
 * Bounce, Complaint or Delivery. Read with patterns rather than JSON.parse, because mail transport
 * often breaks such long lines (soft line breaks, `!` continuations) inside the JSON.
 */
import type { ParsedMessage } from './types';

export interface SesNotification {
  type: 'bounce' | 'complaint' | 'delivery';
  recipient: string | null;
  /** bounce: `Permanent` | `Transient` | `Undetermined`. */
  bounceType: string | null;
  bounceSubType: string | null;
  status: string | null;
  diagnosticCode: string | null;
  reportingMta: string | null;
  feedbackType: string | null;
}

export function sesNotification(p: ParsedMessage): SesNotification | null {
  if (!p.text.includes('"notificationType"')) return null;
  const text = p.text.replace(/!?\r?\n ?/g, '');
  const type = /"notificationType"\s*:\s*"(Bounce|Complaint|Delivery)"/i.exec(text)?.[1]?.toLowerCase();
  if (!type) return null;
  const str = (key: string) => new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(text)?.[1] ?? null;
  const recipient =
    /"(?:bouncedRecipients|complainedRecipients)"\s*:\s*\[\s*\{[^}]*?"emailAddress"\s*:\s*"([^"]+)"/.exec(
      text,
    )?.[1] ??
    /"recipients"\s*:\s*\[\s*"([^"]+)"/.exec(text)?.[1] ??
    null;
  return {
    type: type as SesNotification['type'],
    recipient: recipient?.toLowerCase() ?? null,
    bounceType: str('bounceType'),
    bounceSubType: str('bounceSubType'),
    status: str('status'),
    diagnosticCode: str('diagnosticCode'),
    reportingMta: str('reportingMTA')?.replace(/^dns;\s*/i, '') ?? null,
    feedbackType: str('complaintFeedbackType'),
  };
}
