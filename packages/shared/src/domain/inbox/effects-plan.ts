/**
 * What an inbound message that matched one of our messages does (API.md "Effects"), decided
 * from its classification and the campaign's stop rules. Pure; `services/inbox-effects.ts`
 * turns the plan into the statements of one batch.
 */
import type { StopRules } from '../../db/schema/campaigns';
import type { ContactStatus } from '../../db/schema/contacts';
import { emailDomain } from '../email';
import { localParts } from '../schedule';
import type { Classification, ReplyIntent } from './types';

/** Free-mail domains: a reply from one of them says nothing about a company (stopOnCompanyReply). */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'web.de',
  't-online.de',
  'mail.com',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'zoho.com',
  'fastmail.com',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'libero.it',
  'qq.com',
  '163.com',
  '126.com',
  'naver.com',
  'hey.com',
  'tutanota.com',
]);

export interface PlannedContactChange {
  to: ContactStatus;
  from: readonly ContactStatus[];
  reason: string;
}

export interface EffectsPlan {
  /** the label the thread takes. */
  threadIntent: ReplyIntent;
  /** the answered send's new status (only from `sent`). */
  sendStatus: 'replied' | 'bounced' | null;
  /** stored on the send (`error`) for bounces: `hard bounce: 5.1.1 …`. */
  sendError: string | null;
  contact: PlannedContactChange | null;
  /** stopOnCompanyReply: every other contact of this domain in the campaign stops too. */
  companyDomain: string | null;
  /** a workspace suppression of the sender's address, with this reason. */
  suppress: 'unsubscribed' | 'complaint' | null;
  /** out-of-office: no next step before this instant. */
  holdUntil: number | null;
  replyReceived: boolean;
  contactBounced: boolean;
}

const LIVE: readonly ContactStatus[] = ['pending', 'active', 'completed'];

/** The start of the day after `date` (YYYY-MM-DD) in `timezone`, as epoch ms (DST-correct). */
export function startOfDayAfter(date: string, timezone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  if (!Number.isFinite(wall)) return null;
  // Two passes of "wall clock minus the zone's offset at that instant" settle across a DST edge.
  let t = wall;
  for (let i = 0; i < 2; i++) {
    const p = localParts(timezone, t);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t = wall - (asUtc - t);
  }
  return t;
}

export function planEffects(
  c: Classification,
  ctx: { stopRules: StopRules; fromEmail: string; timezone: string; now: number },
): EffectsPlan | null {
  const rules = ctx.stopRules;
  const plan: EffectsPlan = {
    threadIntent: c.replyIntent ?? 'neutral',
    sendStatus: null,
    sendError: null,
    contact: null,
    companyDomain: null,
    suppress: null,
    holdUntil: null,
    replyReceived: false,
    contactBounced: false,
  };
  switch (c.kind) {
    case 'notification':
      return null;
    case 'complaint':
      plan.threadIntent = 'unsubscribe';
      plan.contact = { to: 'unsubscribed', from: [...LIVE, 'replied'], reason: 'complaint' };
      plan.suppress = 'complaint';
      return plan;
    case 'bounce': {
      const b = c.bounce;
      const hard = b?.type === 'hard';
      plan.threadIntent = 'bounced';
      plan.sendStatus = 'bounced';
      plan.sendError =
        `${hard ? 'hard' : 'soft'} bounce: ${[b?.status, b?.diagnosticCode].filter(Boolean).join(' ') || 'no status'}`.slice(
          0,
          500,
        );
      if (hard) {
        plan.contactBounced = true;
        if (rules.stopOnBounce) plan.contact = { to: 'bounced', from: LIVE, reason: 'bounce' };
      }
      return plan;
    }
    case 'auto_reply':
      plan.replyReceived = true;
      if (rules.stopOnAutoReply) {
        plan.contact = { to: 'replied', from: LIVE, reason: 'auto_reply' };
      } else if (c.isOoo && c.oooUntil) {
        const until = startOfDayAfter(c.oooUntil, ctx.timezone);
        if (until !== null && until > ctx.now) plan.holdUntil = until;
      }
      return plan;
    case 'reply': {
      plan.replyReceived = true;
      plan.sendStatus = 'replied';
      if (c.replyIntent === 'unsubscribe') {
        plan.contact = { to: 'unsubscribed', from: [...LIVE, 'replied'], reason: 'unsubscribed' };
        plan.suppress = 'unsubscribed';
        return plan;
      }
      if (rules.stopOnReply) plan.contact = { to: 'replied', from: LIVE, reason: 'reply' };
      const domain = emailDomain(ctx.fromEmail);
      if (rules.stopOnCompanyReply && domain && !FREE_MAIL_DOMAINS.has(domain)) plan.companyDomain = domain;
      return plan;
    }
  }
}
