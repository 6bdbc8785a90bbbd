import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/domain/inbox/parse';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/inbox');
const fixture = (name: string) => parseMessage(readFileSync(join(dir, `${name}.eml`)));

describe('parseMessage', () => {
  it('a reply: ids with angle brackets, lower-cased addresses and header names, the date in UTC', async () => {
    const p = await fixture('reply-en-interested');
    expect(p.messageId).toMatch(/^<fx\d+\.\d+@mail\.prospect\.example>$/);
    expect(p.inReplyTo).toBe('<snd_01J0000000000000000000001@outreach-demo.example>');
    expect(p.references).toEqual(['<snd_01J0000000000000000000001@outreach-demo.example>']);
    expect(p.from).toEqual({ address: 'dana@prospect.example', name: 'Dana Whitfield' });
    expect(p.to).toEqual([{ address: 'sam@outreach-demo.example', name: 'Sam Seller' }]);
    expect(p.subject).toBe('Re: Quick question');
    expect(p.date).toBe('2026-12-01T09:30:00.000Z');
    expect(p.headers['in-reply-to']).toBe(p.inReplyTo);
    expect(p.contentType).toBe('text/plain');
    expect(p.reportType).toBeNull();
    expect(p.deliveryStatus).toBeNull();
    expect(p.original).toBeNull();
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('a DSN: per-recipient fields and the embedded original (our Message-ID and send id)', async () => {
    const p = await fixture('bounce-postfix-user-unknown');
    expect(p.reportType).toBe('delivery-status');
    expect(p.deliveryStatus?.reportingMta).toBe('mx.outreach-demo.example');
    expect(p.deliveryStatus?.recipients).toHaveLength(1);
    expect(p.deliveryStatus?.recipients[0]).toMatchObject({
      finalRecipient: 'nobody@prospect.example',
      originalRecipient: 'nobody@prospect.example',
      action: 'failed',
      status: '5.1.1',
      remoteMta: 'mx.prospect.example',
    });
    expect(p.deliveryStatus?.recipients[0]?.diagnosticCode).toContain(
      'User unknown in virtual mailbox table',
    );
    expect(p.original).toMatchObject({
      messageId: '<snd_01J0000000000000000000003@outreach-demo.example>',
      sendId: 'snd_01J0000000000000000000003',
      to: ['nobody@prospect.example'],
      subject: 'Quick question',
    });
  });

  it('text/rfc822-headers and a bounce that quotes the original in its body give the same ids', async () => {
    const headersOnly = await fixture('bounce-postfix-delayed');
    expect(headersOnly.original?.sendId).toBe('snd_01J0000000000000000000003');
    const exim = await fixture('bounce-exim-permanent');
    expect(exim.deliveryStatus).toBeNull();
    expect(exim.headers['x-failed-recipients']).toBe('olduser@prospect.example');
    expect(exim.original).toMatchObject({
      messageId: '<snd_01J0000000000000000000003@outreach-demo.example>',
      sendId: 'snd_01J0000000000000000000003',
    });
  });

  it('an ARF report: feedback type and original recipient', async () => {
    const p = await fixture('complaint-arf-optout');
    expect(p.reportType).toBe('feedback-report');
    expect(p.feedbackReport).toMatchObject({ feedbackType: 'opt-out', originalRcptTo: 'done@isp.example' });
    expect(p.original?.sendId).toBe('snd_01J0000000000000000000003');
  });

  it('HTML-only mail keeps text empty; a missing Date header is null, not now', async () => {
    const p = await fixture('reply-html-gmail-interested');
    expect(p.text).toBe('');
    expect(p.html).toContain('gmail_quote');
    const bare = await parseMessage('From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n');
    expect(bare.date).toBeNull();
    expect(bare.messageId).toBeNull();
    expect(bare.references).toEqual([]);
    expect(bare.text.trim()).toBe('hello');
  });

  it('a multipart whose boundary matches no part is read from its raw body', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="AAA"',
      '',
      '--BBB',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; gone@x.example',
      'Action: failed',
      'Status: 5.1.1',
      '--BBB--',
      '',
    ].join('\r\n');
    const p = await parseMessage(raw);
    expect(p.deliveryStatus?.recipients[0]).toMatchObject({
      finalRecipient: 'gone@x.example',
      status: '5.1.1',
    });
  });
});
