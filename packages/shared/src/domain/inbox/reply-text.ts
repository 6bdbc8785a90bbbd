/**
 * The new text of a reply: HTML-only mail converted to text first (html-to-text) after the quoted
 * blocks Gmail and Outlook mark are cut out (`gmail_quote`, `divRplyFwdMsg`, `appendonsend`,
 * `<blockquote type="cite">`); then email-reply-parser drops quoted history and the signature, and
 * the forwarded-header blocks it does not know ("From: … Sent: …" in several languages,
 * "-----Original Message-----") are cut too.
 */
import EmailReplyParser from 'email-reply-parser';
import { compile } from 'html-to-text';
import type { ParsedMessage } from './types';

const parser = new EmailReplyParser();

// Everything from the first marker of quoted history on is dropped from the HTML.
const HTML_QUOTE_START =
  /<div[^>]+class="?[^">]*\bgmail_(?:quote|extra|attr)\b|<div[^>]+id="?(?:divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)\b|<hr[^>]+id="?stopSpelling|<blockquote[^>]+type="?cite|<div[^>]+class="?[^">]*\b(?:yahoo_quoted|moz-cite-prefix|OutlookMessageHeader|protonmail_quote|zmail_extra)\b|<div[^>]+style="[^"]*border-top:\s*solid\s*#[Ee]1[Ee]1[Ee]1/i;

// Lines that start quoted history in plain text (after html-to-text too).
const TEXT_QUOTE_START = new RegExp(
  [
    String.raw`^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Mensagem original|Oorspronkelijk bericht|Originalmeddelande|Oprindelig meddelelse|Opprinnelig melding|Alkuperäinen viesti|Wiadomość oryginalna|Исходное сообщение|Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}`,
    String.raw`^_{10,}\s*$`,
    String.raw`^\*?(?:From|De|Von|Da|Van|Från|Fra|Lähettäjä|Od|От|发件人|寄件者|差出人)\s?\*?:\s?\*?.+\n(?:.*\n){0,3}?\*?(?:Sent|Date|Envoyé|Gesendet|Datum|Enviado|Fecha|Inviato|Data|Verzonden|Skickat|Sendt|Lähetetty|Wysłano|Отправлено|Дата|发送时间|日期|送信日時)\s?\*?:`,
    String.raw`^(?:On|Le|Am|El|Il|Em|Op|Den|På|W dniu)\s.{5,200}(?:wrote|a écrit|schrieb|escribió|ha scritto|escreveu|schreef|skrev|napisał|написал)\s?:`,
  ].join('|'),
  'im',
);

// Compiled once: building the converter costs more than running it.
const convert = compile({
  wordwrap: false,
  // Deeper nesting is not text anyone wrote, and walking it recursively can overflow the stack.
  limits: { maxDepth: 64 },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
  ],
});

export function htmlToText(html: string): string {
  const cut = HTML_QUOTE_START.exec(html);
  const part = cut ? html.slice(0, cut.index) : html;
  try {
    return convert(part);
  } catch {
    // Unconvertible HTML still has words to classify.
    return part.replace(/<[^>]*>/g, ' ').replace(/[ \t]+/g, ' ');
  }
}

/** The message's text: its text part, or its HTML converted when it has none. */
export function bodyText(p: ParsedMessage): string {
  if (p.text.trim() !== '') return p.text.trim();
  return p.html ? htmlToText(p.html).trim() : '';
}

/** The reply's new text, quoted history and signature stripped. */
export function replyText(p: ParsedMessage, reasons: string[]): string {
  const fromHtml = p.text.trim() === '' && p.html !== null;
  const raw = fromHtml ? htmlToText(p.html as string) : p.text;
  if (fromHtml) reasons.push('HTML-only message: converted to text, quoted blocks cut');
  const normalised = raw.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
  const cut = TEXT_QUOTE_START.exec(normalised);
  // The new text of a reply comes first; past 8,000 characters is history or a pasted document.
  const head = (cut ? normalised.slice(0, cut.index) : normalised).slice(0, 8000);
  let visible: string;
  try {
    visible = parser.read(head).getVisibleText();
  } catch {
    visible = head;
  }
  const text = visible.replace(/\n{3,}/g, '\n\n').trim();
  if (text.length < normalised.trim().length) reasons.push('quoted history or signature stripped');
  return text;
}
