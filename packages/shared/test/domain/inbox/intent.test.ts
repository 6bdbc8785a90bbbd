import { describe, expect, it } from 'vitest';
import { classifyIntent } from '../../../src/domain/inbox/intent';
import { detectLanguage } from '../../../src/domain/inbox/language';

const cases: [string, string][] = [
  ['Yes, I am interested. Can we talk on Thursday?', 'interested'],
  ['I am not interested.', 'not_interested'],
  ["We're not interested right now, maybe next year.", 'not_interested'],
  ['Not interested at all', 'not_interested'],
  ["I'm not really interested in this.", 'not_interested'],
  ['Never interested in these offers.', 'not_interested'],
  ["Don't unsubscribe me, I want these.", 'neutral'],
  ['Please do not remove me from the list, this is useful. Let us schedule a call.', 'interested'],
  ['Unsubscribe', 'unsubscribe'],
  ['Please take me off your list.', 'unsubscribe'],
  ["Don't email me again.", 'unsubscribe'],
  ['Stop sending me these emails', 'unsubscribe'],
  ['What integrations do you support?', 'neutral'],
  ['Ja, das klingt gut. Gerne einen Termin vereinbaren.', 'interested'],
  ['Wir sind nicht interessiert.', 'not_interested'],
  ['Kein Interesse, danke.', 'not_interested'],
  ['Bitte keine weiteren E-Mails.', 'unsubscribe'],
  ['Bonjour, ça m’intéresse, appelez-moi demain.', 'interested'],
  ['Nous ne sommes pas intéressés.', 'not_interested'],
  ['Ça ne nous intéresse pas pour le moment.', 'not_interested'],
  ['Merci de me désabonner.', 'unsubscribe'],
  ['Me interesa, ¿podemos agendar una llamada?', 'interested'],
  ['No estamos interesados, gracias.', 'not_interested'],
  ['Por favor, darme de baja.', 'unsubscribe'],
  ['Non siamo interessati.', 'not_interested'],
  ['Geen interesse, bedankt.', 'not_interested'],
];

describe('reply intent', () => {
  it.each(cases)('%s → %s', (text, want) => {
    const reasons: string[] = [];
    expect(classifyIntent(text, null, reasons)).toBe(want);
    expect(reasons.length).toBeGreaterThan(0);
  });

  it('"not interested" is never interested, whatever else the text says', () => {
    expect(classifyIntent('Sounds interesting but we are not interested. Thanks!', null, [])).toBe(
      'not_interested',
    );
  });
});

describe('language', () => {
  it.each([
    ['Thanks for reaching out, we would like to talk about this next week.', 'en'],
    ['Vielen Dank für die Nachricht, wir haben leider kein Interesse.', 'de'],
    ['Merci pour votre message, nous ne sommes pas intéressés pour le moment.', 'fr'],
    ['Gracias por el mensaje, no estamos interesados por ahora.', 'es'],
    ['Grazie per il messaggio, non siamo interessati.', 'it'],
    ['Bedankt voor het bericht, we hebben geen interesse.', 'nl'],
    ['Спасибо, нам это не интересно.', 'ru'],
    ['ご連絡ありがとうございます。', 'ja'],
    ['谢谢您的来信。', 'zh'],
  ])('%s → %s', (text, want) => {
    expect(detectLanguage(text)).toBe(want);
  });

  it('null when the text says too little', () => {
    expect(detectLanguage('Ok!')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });
});
