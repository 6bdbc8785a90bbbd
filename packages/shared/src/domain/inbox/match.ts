/**
 * Which of our messages an inbound mail answers (API.md "How inbound mail is read"), in order:
 * In-Reply-To / References against our Message-IDs; for bounces and complaints the embedded
 * original's Message-ID and send-id header; the failed recipient against contacts this mailbox
 * sent to; last, the sender of a reply against contacts this mailbox wrote to. Pure: the loop
 * looks up the keys `matchKeys` names, then `matchMessage` decides. Nothing matched → null.
 */
import type { Classification, ParsedMessage } from './types';

/** One message we sent from the mailbox: a campaign send, or (sendId null) a Unibox reply. */
export interface OurMessage {
  sendId: string | null;
  messageId: string;
  contactId: string;
  campaignId: string;
  /** the step the message was (or, for a Unibox reply, the contact's last send's step). */
  stepId: string | null;
  variantId: string | null;
  sentAt: number;
}

export interface MatchKeys {
  /** Message-IDs (with angle brackets) to look up among our messages. */
  messageIds: string[];
  sendIds: string[];
  /** addresses to look up among the contacts this mailbox wrote to. */
  emails: string[];
}

export interface MatchLookup {
  byMessageId: ReadonlyMap<string, OurMessage>;
  bySendId: ReadonlyMap<string, OurMessage>;
  /** the latest message this mailbox sent to each address. */
  byEmail: ReadonlyMap<string, OurMessage>;
}

export type MatchedBy =
  | 'in_reply_to'
  | 'references'
  | 'original_message_id'
  | 'original_send_id'
  | 'failed_recipient'
  | 'sender';

export interface MatchResult {
  ours: OurMessage;
  by: MatchedBy;
  reason: string;
}

const SEND_ID = /^snd_[0-9a-z]{26}$/;

function cleanId(id: string | null | undefined): string | null {
  const v = id?.trim();
  if (!v) return null;
  return v.startsWith('<') ? v : `<${v}>`;
}

/** Failed recipients of a bounce (or the complained-about recipient), most specific first. */
function failedRecipients(p: ParsedMessage, c: Classification): string[] {
  const out: string[] = [];
  const add = (v: string | null | undefined) => {
    const e = v?.trim().toLowerCase().replace(/^<|>$/g, '');
    if (e?.includes('@') && !out.includes(e)) out.push(e);
  };
  add(c.bounce?.recipient);
  add(c.complaint?.recipient);
  for (const r of p.deliveryStatus?.recipients ?? []) {
    if (r.action && !['failed', 'delayed'].includes(r.action)) continue;
    add(r.finalRecipient);
    add(r.originalRecipient);
  }
  for (const v of (p.headers['x-failed-recipients'] ?? '').split(/[\n,]/)) add(v);
  add(p.feedbackReport?.originalRcptTo);
  for (const t of p.original?.to ?? []) add(t);
  return out;
}

const isMachineMail = (c: Classification) => c.kind === 'bounce' || c.kind === 'complaint';

/** The references of a mail, newest first (In-Reply-To, then References from the end). */
function threadIds(p: ParsedMessage): { id: string; by: MatchedBy }[] {
  const out: { id: string; by: MatchedBy }[] = [];
  const irt = cleanId(p.inReplyTo);
  if (irt) out.push({ id: irt, by: 'in_reply_to' });
  for (const r of [...p.references].reverse()) {
    const id = cleanId(r);
    if (id && !out.some((o) => o.id === id)) out.push({ id, by: 'references' });
  }
  return out;
}

export function matchKeys(p: ParsedMessage, c: Classification): MatchKeys {
  const messageIds = threadIds(p).map((t) => t.id);
  const sendIds: string[] = [];
  const emails: string[] = [];
  if (isMachineMail(c)) {
    const mid = cleanId(p.original?.messageId);
    if (mid) messageIds.push(mid);
    const sid = p.original?.sendId?.trim();
    if (sid && SEND_ID.test(sid)) sendIds.push(sid);
    emails.push(...failedRecipients(p, c));
  } else if (p.from?.address) {
    emails.push(p.from.address.toLowerCase());
  }
  return { messageIds, sendIds, emails };
}

export function matchMessage(p: ParsedMessage, c: Classification, lookup: MatchLookup): MatchResult | null {
  for (const t of threadIds(p)) {
    const ours = lookup.byMessageId.get(t.id);
    if (ours)
      return {
        ours,
        by: t.by,
        reason: `${t.by === 'in_reply_to' ? 'In-Reply-To' : 'References'} names our message ${t.id}`,
      };
  }
  if (isMachineMail(c)) {
    const mid = cleanId(p.original?.messageId);
    const byMid = mid ? lookup.byMessageId.get(mid) : undefined;
    if (byMid)
      return { ours: byMid, by: 'original_message_id', reason: `the returned message is our ${mid}` };
    const sid = p.original?.sendId?.trim();
    const bySid = sid ? lookup.bySendId.get(sid) : undefined;
    if (bySid)
      return {
        ours: bySid,
        by: 'original_send_id',
        reason: `the returned message carries our send id ${sid}`,
      };
    for (const e of failedRecipients(p, c)) {
      const ours = lookup.byEmail.get(e);
      if (ours)
        return {
          ours,
          by: 'failed_recipient',
          reason: `the failed recipient ${e} is a contact this mailbox sent to`,
        };
    }
    return null;
  }
  const from = p.from?.address?.toLowerCase();
  const ours = from ? lookup.byEmail.get(from) : undefined;
  if (ours) return { ours, by: 'sender', reason: `the sender ${from} is a contact this mailbox wrote to` };
  return null;
}
