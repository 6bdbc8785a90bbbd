import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/domain/inbox/classify';
import { parseMessage } from '../../../src/domain/inbox/parse';

const mail = (headers: string, subject: string, body: string) =>
  parseMessage(
    `From: Dana <dana@prospect.example>\r\nTo: sam@outreach-demo.example\r\nSubject: ${subject}\r\nDate: Tue, 01 Dec 2026 09:30:00 +0000\r\n${headers}\r\n${body}\r\n`,
  );

describe('auto-reply signs', () => {
  it.each([
    ['Auto-Submitted: auto-replied\r\n'],
    ['Auto-Submitted: auto-generated\r\n'],
    ['X-Autoreply: yes\r\n'],
    ['X-Autorespond: Thank you\r\n'],
    ['Precedence: auto_reply\r\n'],
    ['X-Apple-Action: vacation\r\n'],
  ])('%s makes an auto-reply', async (headers) => {
    const c = classify(await mail(headers, 'Re: Quick question', 'Thanks for your message.'));
    expect(c.kind).toBe('auto_reply');
    expect(c.isOoo !== c.isAutoReply).toBe(true);
  });

  it.each([['X-Auto-Response-Suppress: All\r\n'], ['Auto-Submitted: no\r\n'], ['Precedence: bulk\r\n']])(
    '%s alone is no sign',
    async (headers) => {
      const c = classify(await mail(headers, 'Re: Quick question', 'Sounds good, call me tomorrow.'));
      expect(c.kind).toBe('reply');
      expect(c.replyIntent).toBe('interested');
    },
  );

  it.each([
    ['Automatic reply: Quick question', 'en'],
    ['Out of Office: Quick question', 'en'],
    ['Automatische Antwort: Quick question', 'de'],
    ['Réponse automatique : Quick question', 'fr'],
    ['Respuesta automática: Quick question', 'es'],
    ['Risposta automatica: Quick question', 'it'],
    ['Resposta automática: Quick question', 'pt'],
    ['Automatisch antwoord: Quick question', 'nl'],
    ['Automatiskt svar: Quick question', 'sv'],
    ['Autosvar: Quick question', 'da/no'],
    ['Automaattinen vastaus: Quick question', 'fi'],
    ['Odpowiedź automatyczna: Quick question', 'pl'],
    ['Автоматический ответ: Quick question', 'ru'],
    ['自動応答: Quick question', 'ja'],
    ['自动回复: Quick question', 'zh'],
  ])('subject "%s" (%s) alone makes an auto-reply', async (subject) => {
    const c = classify(await mail('', subject, 'I am away on holiday.'));
    expect(c.kind).toBe('auto_reply');
    expect(c.isOoo).toBe(true);
    expect(c.replyIntent).toBe('out_of_office');
  });

  it('a receipt is an auto-reply but not out-of-office; a vacation responder is', async () => {
    const receipt = classify(
      await mail('Auto-Submitted: auto-replied\r\n', 'Re: Quick question', 'We received your request #1234.'),
    );
    expect(receipt).toMatchObject({ kind: 'auto_reply', isOoo: false, isAutoReply: true, oooUntil: null });
    const vacation = classify(
      await mail('X-Apple-Action: vacation\r\n', 'Re: Quick question', 'Gone fishing.'),
    );
    expect(vacation).toMatchObject({ kind: 'auto_reply', isOoo: true, isAutoReply: false });
  });

  it('a human reply whose subject mentions being out of office is still a reply', async () => {
    const c = classify(await mail('', 'Re: Out of office tooling', 'Yes, interested, let us talk.'));
    expect(c.kind).toBe('reply');
  });
});
