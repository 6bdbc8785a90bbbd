/**
 * Hard or soft from the words of a bounce: "user unknown" is hard unless the answer shows a filter
 * (no address in the slot, or refused only after DATA), and a wrapped answer is judged by what the
 * receiving server said. Texts written here, in the shapes MTAs use.
 */
import { describe, expect, it } from 'vitest';
import { reasonFromText } from '../../../src/domain/inbox/bounce-reason';
import { classify } from '../../../src/domain/inbox/classify';
import { parseMessage } from '../../../src/domain/inbox/parse';

const type = (text: string, context = text, status: string | null = null) =>
  reasonFromText(text, context, status)?.type;

function dsn(diagnostic: string, status = '5.0.0'): string {
  return [
    'From: MAILER-DAEMON@mx.example.net',
    'To: sam@outreach-demo.example',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    'Final-Recipient: rfc822; pat@carrier.example',
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '--b--',
    '',
  ].join('\r\n');
}

describe('bounce reason', () => {
  it('"550 <addr>: User unknown" is hard; "550 : User unknown" (no address) is a filter, soft', () => {
    expect(type('550 <pat@carrier.example>: User unknown')).toBe('hard');
    expect(type('550 : User unknown')).toBe('soft');
    expect(type('Remote server returned unknown recipient -> 550 : User unknown')).toBe('soft');
  });

  it('refused after DATA is a content filter, unless the words say the account is absent', () => {
    const after = '>>> DATA\n<<< 554 rejected';
    expect(type('554 unknown user <pat@x.example>', after)).toBe('soft');
    expect(type("554 delivery error: dd This user doesn't have a mail.example account", after)).toBe('hard');
    expect(type('554 unknown user <pat@x.example>', after, '5.1.1')).toBe('hard');
    // the stage as a filtering gateway reports it, on its own line
    const gateway = '-------server message\n550 unknown user <pat@x.example>\n\n-------SMTP command\nDATA\n';
    expect(type('550 unknown user <pat@x.example>', gateway)).toBe('soft');
    expect(type('550 unknown user <pat@x.example>', gateway.replace('DATA', 'RCPT TO:<pat@x.example>'))).toBe(
      'hard',
    );
  });

  it('a wrapped answer is judged by what the receiving server said', async () => {
    const wrapped = classify(
      await parseMessage(
        dsn("5.1.0 - Unknown address error 550-'5.7.1 <x@bounces.example>... Access denied'"),
      ),
    );
    expect(wrapped.bounce?.type).toBe('soft');
    const unknown = classify(
      await parseMessage(
        dsn("5.1.0 - Unknown address error 550-'5.1.1 <pat@carrier.example>... User unknown'"),
      ),
    );
    expect(unknown.bounce?.type).toBe('hard');
  });
});
