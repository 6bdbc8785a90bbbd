/**
 * `classify(parsed)`: what an inbound message is, in API.md's order — complaint (ARF) → bounce
 * (DSN, then the non-standard ones) → auto-reply (out-of-office or other) → reply — with the reply
 * text stripped of quoted history and signature, its intent and language, and the reasons for every
 * decision. Pure and synchronous: the inbox loop and `POST /inbox/classify` call this one function.
 */
import { detectAutoReply } from './auto-reply';
import { detectBounce } from './bounce';
import { detectComplaint } from './complaint';
import { classifyIntent } from './intent';
import { detectLanguage } from './language';
import { findReturnDate } from './ooo-date';
import { bodyText, replyText } from './reply-text';
import type { Classification, ParsedMessage } from './types';

const MACHINE_TEXT_MAX = 100_000;
const MACHINE_LINE_MAX = 1000;
const LONG_LINE = /[^\n]{1001,}/g;

export function classify(message: ParsedMessage): Classification {
  const reasons: string[] = [];
  // The machine-mail checks read the text; an HTML-only message is read as its converted HTML.
  // Bounce and auto-reply wording is at the top and in short lines: the machine-mail checks read at
  // most MACHINE_TEXT_MAX characters, each line cut at MACHINE_LINE_MAX (bounds every pattern's cost).
  const full = message.text.trim() === '' && message.html ? bodyText(message) : message.text;
  const machineText = full.slice(0, MACHINE_TEXT_MAX).replace(LONG_LINE, (l) => l.slice(0, MACHINE_LINE_MAX));
  const parsed = machineText === message.text ? message : { ...message, text: machineText };
  const base = {
    replyIntent: null,
    isOoo: false,
    isAutoReply: false,
    oooUntil: null,
    bounce: null,
    complaint: null,
  } as const;

  const complaint = detectComplaint(parsed, reasons);
  if (complaint) {
    const text = bodyText(parsed);
    return { ...base, kind: 'complaint', complaint, text, language: detectLanguage(text), reasons };
  }

  const bounce = detectBounce(parsed, reasons);
  if (bounce === 'notification') {
    const text = bodyText(parsed);
    return { ...base, kind: 'notification', text, language: detectLanguage(text), reasons };
  }
  if (bounce) {
    const text = bodyText(parsed);
    return { ...base, kind: 'bounce', bounce, text, language: detectLanguage(text), reasons };
  }

  const auto = detectAutoReply(parsed, reasons);
  if (auto) {
    const text = replyText(message, []);
    const language = detectLanguage(`${parsed.subject}\n${text}`);
    if (auto === 'ooo') {
      const oooUntil = findReturnDate(`${parsed.subject}\n${text}`, parsed.date, reasons);
      return {
        ...base,
        kind: 'auto_reply',
        replyIntent: 'out_of_office',
        isOoo: true,
        oooUntil,
        text,
        language,
        reasons,
      };
    }
    return {
      ...base,
      kind: 'auto_reply',
      replyIntent: 'neutral',
      isAutoReply: true,
      text,
      language,
      reasons,
    };
  }

  reasons.push('no complaint, bounce or auto-reply sign: a reply');
  const text = replyText(message, reasons);
  const language = detectLanguage(text);
  const replyIntent = classifyIntent(text, language, reasons);
  return { ...base, kind: 'reply', replyIntent, text, language, reasons };
}
