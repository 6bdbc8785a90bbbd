import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/domain/inbox/classify';
import { parseMessage } from '../../../src/domain/inbox/parse';

const daemon = 'From: MAILER-DAEMON@mx.example\r\nSubject: Undeliverable: hello\r\n\r\n';

// Inputs shaped to make address and phrase patterns backtrack: each must still be classified
// (a hang here would stall a mailbox's whole poll).
const cases: [string, string | Buffer][] = [
  ['empty', ''],
  ['binary', Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0])],
  ['a@ repeated', daemon + 'a@'.repeat(200_000)],
  ['one 300 KB token', daemon + 'x'.repeat(300_000)],
  ['dotted token', daemon + 'x.y'.repeat(50_000)],
  ['phrase prefix repeated', daemon + 'exceeds_'.repeat(50_000)],
  [
    'deep HTML',
    `From: a@b.example\r\nSubject: Re: x\r\nContent-Type: text/html\r\n\r\n${'<div>'.repeat(5000)}hi`,
  ],
  ['100,000 quoted lines', `From: a@b.example\r\nSubject: Re: x\r\n\r\n${'> quoted\n'.repeat(100_000)}`],
  [
    'dates everywhere',
    `From: a@b.example\r\nSubject: Auto: x\r\nAuto-Submitted: auto-replied\r\n\r\n${'12.12. '.repeat(50_000)}`,
  ],
];

describe('pathological messages are classified, not hung on', () => {
  it.each(cases)('%s', { timeout: 60_000 }, async (_name, raw) => {
    const c = classify(await parseMessage(raw));
    expect(['reply', 'auto_reply', 'bounce', 'complaint', 'notification']).toContain(c.kind);
    expect(c.reasons.length).toBeGreaterThan(0);
  });
});
