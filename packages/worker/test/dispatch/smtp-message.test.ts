/**
 * The one-pass MIME writer (adapters/smtp-message.ts) against nodemailer itself: for arbitrary
 * messages (non-ASCII and long subjects and names, long, dotted and mixed-newline bodies, thread
 * headers), what a real smtp-server receives from the raw message is byte for byte what it
 * receives when nodemailer's `sendMail` builds and streams the same message, with the same
 * envelope; boundary and date pinned, the only two things nodemailer draws fresh.
 */
import type { OutgoingMail } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import fc from 'fast-check';
import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMessage, mailOptions } from '../../src/adapters/smtp-message';

const text = fc.string({ unit: 'binary', maxLength: 300 });
const line = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('.', '..', '.hidden', 'From here', ' ', '=', '=3D', '\t', 'x'.repeat(200), 'é'.repeat(90)),
);
const body = fc
  .array(line, { maxLength: 12 })
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((nl) => lines.join(nl)));
const word = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }));
const address = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,8}([.+-][a-z0-9]{1,8}){0,2}$/),
    fc.constantFrom('example.com', 'acme.test', 'b\u00fccher.de'),
  )
  .map(([local, domain]) => `${local}@${domain}`);
const messageId = fc.stringMatching(/^[a-z0-9_]{1,30}$/).map((id) => `<${id}@acme.test>`);
const mail: fc.Arbitrary<OutgoingMail> = fc
  .record({
    name: fc.array(word, { maxLength: 3 }).map((w) => w.join(' ')),
    from: address,
    to: address,
    subject: fc.oneof(
      text,
      fc.array(word, { maxLength: 20 }).map((w) => w.join(' ')),
    ),
    html: body,
    text: body,
    messageId,
    earlier: fc.array(messageId, { maxLength: 12 }),
    unsubscribe: fc.webUrl(),
  })
  .map((m) => ({
    from: { name: m.name, address: m.from },
    to: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    messageId: m.messageId,
    ...(m.earlier.length > 0 ? { inReplyTo: m.earlier.at(-1)!, references: m.earlier } : {}),
    headers: {
      'X-Outreach-Send-Id': 'snd_01',
      'List-Unsubscribe': `<mailto:unsubscribe@acme.test?subject=snd_01>, <${m.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  }));

describe('the one-pass MIME writer', () => {
  let smtp: TestSmtpServer;
  let transport: Transporter;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, pool: true });
  });
  afterAll(async () => {
    transport.close();
    await smtp.close();
  });

  it('writes what nodemailer would have written (MailComposer.build), byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(mail, async (m) => {
        const fixed = { baseBoundary: 'b0undary', date: new Date('2026-12-02T10:00:00Z') };
        const built = await new MailComposer({ ...mailOptions(m), ...fixed }).compile().build();
        expect(composeMessage(m, fixed).raw).toBe(built.toString('utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('reaches a real SMTP server as nodemailer’s own sendMail does: same envelope, same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(mail, async (m) => {
        const fixed = { baseBoundary: 'b0undary', date: new Date('2026-12-02T10:00:00Z') };
        const before = smtp.messages.length;
        await transport.sendMail({ ...mailOptions(m), ...fixed });
        await transport.sendMail(composeMessage(m, fixed));
        const [streamed, raw] = await smtp.waitFor(before + 2).then((all) => all.slice(before));
        expect(raw!.envelope).toEqual(streamed!.envelope);
        expect(raw!.raw).toBe(streamed!.raw);
      }),
      { numRuns: 40 },
    );
  });

  it('a message of the dispatch loop parses back to what was rendered', async () => {
    const m: OutgoingMail = {
      from: { name: 'Ana Müller', address: 'ana@acme.test' },
      to: 'lena@example.com',
      subject: 'Kurze Frage zu Ihrem Angebot – 5 Minuten?',
      html: '<p>Hallo Lena,</p><p>kurze Frage …</p>',
      text: 'Hallo Lena,\n\nkurze Frage …\n.\nAna',
      messageId: '<snd_2@acme.test>',
      inReplyTo: '<snd_1@acme.test>',
      references: ['<snd_1@acme.test>'],
      headers: { 'X-Outreach-Send-Id': 'snd_2', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
    const before = smtp.messages.length;
    await transport.sendMail(composeMessage(m));
    const [got] = (await smtp.waitFor(before + 1)).slice(before);
    expect(got!.envelope).toEqual({ from: 'ana@acme.test', to: ['lena@example.com'] });
    expect(got!.parsed.subject).toBe(m.subject);
    expect(got!.parsed.from?.value[0]).toEqual({ name: 'Ana Müller', address: 'ana@acme.test' });
    expect(got!.parsed.text).toBe(m.text);
    expect(got!.parsed.html).toBe(m.html);
    expect(got!.parsed.messageId).toBe(m.messageId);
    expect(got!.parsed.inReplyTo).toBe('<snd_1@acme.test>');
    expect(got!.headers['x-outreach-send-id']).toBe('snd_2');
  });
});
