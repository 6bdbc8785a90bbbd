/**
 * Complaints: an ARF report (`multipart/report; report-type=feedback-report`, RFC 5965), Microsoft's
 * JMRP reports (the complained-about message attached, `X-HmXmrOriginalRecipient` in it), and Amazon
 * SES complaint notifications (SNS JSON in the body).
 */
import { firstAddress } from './fields';
import { sesNotification } from './ses';
import type { ComplaintInfo, ParsedMessage } from './types';

export function detectComplaint(p: ParsedMessage, reasons: string[]): ComplaintInfo | null {
  const fr = p.feedbackReport;
  if (p.reportType === 'feedback-report' || fr) {
    const feedbackType = fr?.feedbackType ?? null;
    const recipient =
      fr?.originalRcptTo ??
      firstAddress(fr?.fields['removal-recipient']) ??
      p.original?.to[0] ??
      firstAddress(p.original?.headers['x-hmxmroriginalrecipient']) ??
      null;
    reasons.push(`ARF feedback report (feedback type ${feedbackType ?? 'not given'}): a complaint`);
    return { feedbackType, recipient };
  }
  const jmrp = p.original?.headers['x-hmxmroriginalrecipient'];
  if (jmrp && /complaint/i.test(p.subject)) {
    reasons.push('Microsoft JMRP complaint (X-HmXmrOriginalRecipient in the attached message)');
    return { feedbackType: 'abuse', recipient: firstAddress(jmrp) };
  }
  const ses = sesNotification(p);
  if (ses?.type === 'complaint') {
    reasons.push('Amazon SES complaint notification');
    return { feedbackType: ses.feedbackType ?? 'abuse', recipient: ses.recipient };
  }
  return null;
}
