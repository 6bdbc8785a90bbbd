/**
 * The inbox's two shapes: a parsed inbound message (plain, JSON-serialisable data that `parseMessage`
 * makes from the raw RFC 822 bytes) and the classification `classify` makes from it (exactly the
 * `POST /inbox/classify` answer in API.md). Matching and effects read both; nothing here does I/O.
 *
 * Conventions: Message-IDs keep their angle brackets (`<id@host>`, as `sends.message_id` stores
 * them); addresses are lower-cased; header names are lower-cased; a header that appears several
 * times has its values joined with "\n" (topmost first); absent values are null, never undefined.
 */

/** The send-id header every outgoing message carries (worker/src/dispatch), so bounces map back. */
export const SEND_ID_HEADER = 'x-outreach-send-id';

export interface MailAddress {
  /** Lower-cased; '' when the header held only a name. */
  address: string;
  name: string;
}

/** One per-recipient block of a `message/delivery-status` part (RFC 3464), type prefixes removed. */
export interface DsnRecipient {
  /** `Final-Recipient` without `rfc822;`, lower-cased, or null. */
  finalRecipient: string | null;
  originalRecipient: string | null;
  /** `failed`, `delayed`, `delivered`, `relayed`, `expanded` (lower-cased), or null. */
  action: string | null;
  /** Enhanced status code as written (`5.1.1`), or null. */
  status: string | null;
  /** `Diagnostic-Code` without its `smtp;` type, unfolded, or null. */
  diagnosticCode: string | null;
  remoteMta: string | null;
  /** Every field of the block, lower-cased names, raw unfolded values. */
  fields: Record<string, string>;
}

export interface DeliveryStatus {
  /** `Reporting-MTA` without `dns;`, or null. */
  reportingMta: string | null;
  /** Per-message fields (the first block), lower-cased names. */
  fields: Record<string, string>;
  recipients: DsnRecipient[];
}

/** A `message/feedback-report` part (ARF, RFC 5965). */
export interface FeedbackReport {
  /** `Feedback-Type` lower-cased (`abuse`, `fraud`, `opt-out`, …), or null. */
  feedbackType: string | null;
  /** `Original-Rcpt-To`, lower-cased, or null. */
  originalRcptTo: string | null;
  fields: Record<string, string>;
}

/**
 * The message a bounce or complaint carries back: from a `message/rfc822` or `text/rfc822-headers`
 * part, or (non-standard bounces) from header lines quoted in the body text.
 */
export interface EmbeddedOriginal {
  messageId: string | null;
  /** Our `X-Outreach-Send-Id` header value, or null. */
  sendId: string | null;
  /** Addresses of its `To` header, lower-cased. */
  to: string[];
  subject: string | null;
  /** Its headers, lower-cased names. */
  headers: Record<string, string>;
}

export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  /** Oldest first, as the header lists them. */
  references: string[];
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** The `Date` header as ISO 8601 UTC, or null when absent or unreadable. */
  date: string | null;
  headers: Record<string, string>;
  /** Top-level content type, lower-cased (`multipart/report`, `text/plain`, …). */
  contentType: string;
  /** `report-type` parameter of a `multipart/report`, lower-cased, or null. */
  reportType: string | null;
  /** The text body (mailparser's text; for HTML-only mail, '' — see `html`). */
  text: string;
  html: string | null;
  deliveryStatus: DeliveryStatus | null;
  feedbackReport: FeedbackReport | null;
  original: EmbeddedOriginal | null;
}

export type MessageKind = 'reply' | 'auto_reply' | 'bounce' | 'complaint' | 'notification';
export type ReplyIntent =
  | 'interested'
  | 'not_interested'
  | 'out_of_office'
  | 'bounced'
  | 'unsubscribe'
  | 'neutral';

export interface BounceInfo {
  /** hard: the address will never take mail; soft: everything else (API.md). */
  type: 'hard' | 'soft';
  /** Enhanced status code (`5.1.1`) or, failing that, the SMTP reply code (`550`), or null. */
  status: string | null;
  /** The failed recipient, lower-cased, or null. */
  recipient: string | null;
  diagnosticCode: string | null;
  reportingMta: string | null;
}

export interface ComplaintInfo {
  feedbackType: string | null;
  recipient: string | null;
}

/** The `POST /inbox/classify` answer (API.md "How inbound mail is read"). */
export interface Classification {
  kind: MessageKind;
  /** Null for kinds other than reply and auto_reply. */
  replyIntent: ReplyIntent | null;
  /** Out-of-office auto-reply. Never true together with `isAutoReply`. */
  isOoo: boolean;
  /** Any other auto-reply. */
  isAutoReply: boolean;
  /** Return date of an out-of-office reply, `YYYY-MM-DD`, or null. */
  oooUntil: string | null;
  bounce: BounceInfo | null;
  complaint: ComplaintInfo | null;
  /** The new text of a reply (quoted history and signature stripped); the body text otherwise. */
  text: string;
  /** ISO 639-1 code, or null when the text says too little. */
  language: string | null;
  /** Why, one short sentence per decision, in the order they were taken. */
  reasons: string[];
}
