/**
 * Raw RFC 822 bytes → `ParsedMessage` (plain data), with mailparser. `keepDeliveryStatus` keeps
 * `message/delivery-status` parts as parts (not text), and `ignoreEmbedded` keeps an embedded
 * `message/rfc822` as a part too, so its headers (our Message-ID and send id) can be read and its
 * body never mixes into the text that is classified.
 */
import { type AddressObject, simpleParser } from 'mailparser';
import { firstAddress, parseFieldBlocks, parseHeaderSection, stripTypePrefix } from './fields';
import {
  type DeliveryStatus,
  type DsnRecipient,
  type EmbeddedOriginal,
  type FeedbackReport,
  type MailAddress,
  type ParsedMessage,
  SEND_ID_HEADER,
} from './types';

export async function parseMessage(raw: Buffer | string): Promise<ParsedMessage> {
  const m = await simpleParser(raw, {
    keepDeliveryStatus: true,
    ignoreEmbedded: true,
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    // HTML-only mail keeps `text` empty: reply-text converts the HTML itself, quoted blocks cut first.
    skipHtmlToText: true,
  });
  const headers: Record<string, string> = {};
  for (const h of m.headerLines ?? []) {
    const value = h.line
      .replace(/^[^:]*:[ \t]*/, '')
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[h.key] = headers[h.key] !== undefined ? `${headers[h.key]}\n${value}` : value;
  }
  const ct = m.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const contentType = (ct?.value ?? 'text/plain').toLowerCase();
  const reportType =
    contentType === 'multipart/report' ? (ct?.params?.['report-type']?.toLowerCase() ?? null) : null;

  let deliveryStatus: DeliveryStatus | null = null;
  let feedbackReport: FeedbackReport | null = null;
  let original: EmbeddedOriginal | null = null;
  for (const a of m.attachments) {
    const type = a.contentType.toLowerCase();
    if (
      (type === 'message/delivery-status' || type === 'message/global-delivery-status') &&
      !deliveryStatus
    ) {
      deliveryStatus = readDeliveryStatus(a.content.toString('utf8'));
    } else if (type === 'message/feedback-report' && !feedbackReport) {
      feedbackReport = readFeedbackReport(a.content.toString('utf8'));
    } else if (
      (type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/global') &&
      !original
    ) {
      original = readOriginal(parseHeaderSection(a.content.toString('utf8')));
    }
  }
  let text = typeof m.text === 'string' ? m.text : '';
  if (text === '' && typeof m.html !== 'string' && m.attachments.length === 0) {
    // A multipart whose boundary matches none of its parts (seen in real bounces): read the raw body.
    text = rawBody(typeof raw === 'string' ? raw : raw.toString('utf8'));
  }
  deliveryStatus ??= dsnFromText(text);
  original ??= originalFromBody(text);

  const dateHeader = headers.date !== undefined && m.date instanceof Date && !Number.isNaN(m.date.getTime());
  return {
    messageId: m.messageId ?? null,
    inReplyTo: typeof m.inReplyTo === 'string' ? m.inReplyTo.trim() || null : null,
    references: typeof m.references === 'string' ? [m.references] : (m.references ?? []),
    from: addresses(m.from)[0] ?? null,
    to: addresses(m.to),
    cc: addresses(m.cc),
    subject: m.subject ?? '',
    date: dateHeader ? (m.date as Date).toISOString() : null,
    headers,
    contentType,
    reportType,
    text,
    html: typeof m.html === 'string' ? m.html : null,
    deliveryStatus,
    feedbackReport,
    original,
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const walk = (list: { address?: string; name?: string; group?: unknown[] }[]) => {
    for (const a of list) {
      if (Array.isArray(a.group)) walk(a.group as typeof list);
      else out.push({ address: (a.address ?? '').toLowerCase(), name: a.name ?? '' });
    }
  };
  for (const f of Array.isArray(field) ? field : field ? [field] : []) walk(f.value);
  return out;
}

export function readDeliveryStatus(body: string): DeliveryStatus {
  const [first = {}, ...rest] = parseFieldBlocks(body);
  // Some MTAs write the per-message and the first recipient's fields as one block.
  const blocks = first['final-recipient'] || first['original-recipient'] ? [first, ...rest] : rest;
  const recipients: DsnRecipient[] = blocks
    .filter((b) => b['final-recipient'] || b['original-recipient'] || b.action || b.status)
    .map((b) => ({
      finalRecipient: firstAddress(b['final-recipient']) ?? stripTypePrefix(b['final-recipient']),
      originalRecipient: firstAddress(b['original-recipient']) ?? stripTypePrefix(b['original-recipient']),
      action: b.action?.trim().toLowerCase().split(/\s/)[0] ?? null,
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(b.status ?? '')?.[0] ?? stripTypePrefix(b.status),
      diagnosticCode: stripTypePrefix(b['diagnostic-code']),
      remoteMta: stripTypePrefix(b['remote-mta']),
      fields: b,
    }));
  return { reportingMta: stripTypePrefix(first['reporting-mta']), fields: first, recipients };
}

function readFeedbackReport(body: string): FeedbackReport {
  const fields = Object.assign({}, ...parseFieldBlocks(body)) as Record<string, string>;
  return {
    feedbackType: fields['feedback-type']?.trim().toLowerCase() ?? null,
    originalRcptTo: firstAddress(fields['original-rcpt-to']),
    fields,
  };
}

function readOriginal(headers: Record<string, string>): EmbeddedOriginal | null {
  if (Object.keys(headers).length === 0) return null;
  const to = (headers.to ?? '')
    .split(',')
    .map(firstAddress)
    .filter((a): a is string => a !== null);
  return {
    messageId: /<[^>\s]+>/.exec(headers['message-id'] ?? '')?.[0] ?? null,
    sendId: headers[SEND_ID_HEADER]?.trim() || null,
    to,
    subject: headers.subject ?? null,
    headers,
  };
}

function rawBody(raw: string): string {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? raw.slice(m.index + m[0].length) : '';
}

/** DSN fields written into the body (inline reports, broken MIME): from the first `Reporting-MTA:` or `Final-Recipient:` line. */
function dsnFromText(text: string): DeliveryStatus | null {
  const start = /^(?:Reporting-MTA|Final-Recipient):/im.exec(text);
  if (!start) return null;
  const dsn = readDeliveryStatus(text.slice(start.index, start.index + 20_000));
  return dsn.recipients.some((r) => r.action || r.status) ? dsn : null;
}

/** Non-standard bounces quote the original's headers in the body: read the lines that matter. */
function originalFromBody(text: string): EmbeddedOriginal | null {
  const messageId = /^[ \t>]*Message-ID:[ \t]*(<[^>\s]+>)/im.exec(text)?.[1] ?? null;
  const sendId = /^[ \t>]*X-Outreach-Send-Id:[ \t]*(\S+)/im.exec(text)?.[1] ?? null;
  if (!messageId && !sendId) return null;
  const toLine = /^[ \t>]*To:[ \t]*(.+)$/im.exec(text)?.[1];
  const to = toLine ? [firstAddress(toLine)].filter((a): a is string => a !== null) : [];
  const headers: Record<string, string> = {};
  if (messageId) headers['message-id'] = messageId;
  if (sendId) headers[SEND_ID_HEADER] = sendId;
  return { messageId, sendId, to, subject: null, headers };
}
