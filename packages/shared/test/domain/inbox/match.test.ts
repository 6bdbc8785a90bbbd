import { describe, expect, it } from 'vitest';
import { planEffects, startOfDayAfter } from '../../../src/domain/inbox/effects-plan';
import { type MatchLookup, matchKeys, matchMessage, type OurMessage } from '../../../src/domain/inbox/match';
import type { Classification, ParsedMessage } from '../../../src/domain/inbox/types';

const parsed = (p: Partial<ParsedMessage> = {}): ParsedMessage => ({
  messageId: '<in@p.test>',
  inReplyTo: null,
  references: [],
  from: { address: 'ann@p.test', name: 'Ann' },
  to: [],
  cc: [],
  subject: 'Re: hi',
  date: null,
  headers: {},
  contentType: 'text/plain',
  reportType: null,
  text: 'hello',
  html: null,
  deliveryStatus: null,
  feedbackReport: null,
  original: null,
  ...p,
});
const cls = (c: Partial<Classification> = {}): Classification => ({
  kind: 'reply',
  replyIntent: 'neutral',
  isOoo: false,
  isAutoReply: false,
  oooUntil: null,
  bounce: null,
  complaint: null,
  text: 'hello',
  language: 'en',
  reasons: [],
  ...c,
});
const ours = (id: string, contactId = 'cnt_1'): OurMessage => ({
  sendId: `snd_${id}`,
  messageId: `<snd_${id}@acme.test>`,
  contactId,
  campaignId: 'cmp_1',
  stepId: 'stp_1',
  variantId: null,
  sentAt: 1,
});
const lookup = (l: Partial<MatchLookup>): MatchLookup => ({
  byMessageId: new Map(),
  bySendId: new Map(),
  byEmail: new Map(),
  ...l,
});

describe('matchMessage', () => {
  const a = ours('a');
  const b = ours('b');
  it('In-Reply-To first, then References newest first', () => {
    const l = lookup({
      byMessageId: new Map([
        [a.messageId, a],
        [b.messageId, b],
      ]),
    });
    expect(matchMessage(parsed({ inReplyTo: a.messageId, references: [b.messageId] }), cls(), l)?.by).toBe(
      'in_reply_to',
    );
    const m = matchMessage(
      parsed({ inReplyTo: '<theirs@x>', references: [a.messageId, b.messageId] }),
      cls(),
      l,
    );
    expect(m).toMatchObject({ by: 'references', ours: b });
  });
  it('a reply with no known reference falls back to its sender; a bounce never does', () => {
    const l = lookup({ byEmail: new Map([['ann@p.test', a]]) });
    expect(matchMessage(parsed(), cls(), l)?.by).toBe('sender');
    expect(matchMessage(parsed(), cls({ kind: 'bounce', replyIntent: null }), l)).toBeNull();
  });
  it("bounces: the original's Message-ID, then its send id, then the failed recipient", () => {
    const original = {
      messageId: a.messageId,
      sendId: 'snd_0123456789abcdefghjkmnpqrs',
      to: [],
      subject: null,
      headers: {},
    };
    const bounce = cls({
      kind: 'bounce',
      replyIntent: null,
      bounce: {
        type: 'hard',
        status: '5.1.1',
        recipient: 'gone@p.test',
        diagnosticCode: null,
        reportingMta: null,
      },
    });
    const mail = parsed({ from: { address: 'mailer-daemon@mx.test', name: '' }, original });
    expect(matchMessage(mail, bounce, lookup({ byMessageId: new Map([[a.messageId, a]]) }))?.by).toBe(
      'original_message_id',
    );
    expect(matchMessage(mail, bounce, lookup({ bySendId: new Map([[original.sendId, b]]) }))?.by).toBe(
      'original_send_id',
    );
    expect(matchMessage(mail, bounce, lookup({ byEmail: new Map([['gone@p.test', b]]) }))?.by).toBe(
      'failed_recipient',
    );
    expect(matchKeys(mail, bounce)).toEqual({
      messageIds: [a.messageId],
      sendIds: [original.sendId],
      emails: ['gone@p.test'],
    });
  });
  it('nothing matched → null', () => {
    expect(matchMessage(parsed({ inReplyTo: '<x@y>' }), cls(), lookup({}))).toBeNull();
  });
});

describe('planEffects', () => {
  const rules = {
    stopOnReply: true,
    stopOnUnsub: true,
    stopOnBounce: true,
    stopOnAutoReply: false,
    stopOnCompanyReply: true,
  };
  const ctx = { stopRules: rules, fromEmail: 'ann@bigco.test', timezone: 'Europe/Berlin', now: 0 };
  it('a reply stops the contact and, with stopOnCompanyReply, its company (free mail excepted)', () => {
    expect(planEffects(cls({ replyIntent: 'interested' }), ctx)).toMatchObject({
      sendStatus: 'replied',
      contact: { to: 'replied' },
      companyDomain: 'bigco.test',
      replyReceived: true,
    });
    expect(planEffects(cls(), { ...ctx, fromEmail: 'ann@gmail.com' })?.companyDomain).toBeNull();
    expect(planEffects(cls(), { ...ctx, stopRules: { ...rules, stopOnReply: false } })?.contact).toBeNull();
  });
  it('unsubscribe → unsubscribed + suppression; soft bounce stops nothing; notification does nothing', () => {
    expect(planEffects(cls({ replyIntent: 'unsubscribe' }), ctx)).toMatchObject({
      contact: { to: 'unsubscribed' },
      suppress: 'unsubscribed',
    });
    const soft = planEffects(
      cls({
        kind: 'bounce',
        replyIntent: null,
        bounce: {
          type: 'soft',
          status: '4.2.2',
          recipient: null,
          diagnosticCode: 'full',
          reportingMta: null,
        },
      }),
      ctx,
    );
    expect(soft).toMatchObject({
      sendStatus: 'bounced',
      contact: null,
      contactBounced: false,
      threadIntent: 'bounced',
    });
    expect(soft?.sendError).toBe('soft bounce: 4.2.2 full');
    expect(planEffects(cls({ kind: 'notification', replyIntent: null }), ctx)).toBeNull();
  });
  it('OOO with a date holds until the start of the day after in the campaign zone, unless stopOnAutoReply', () => {
    const ooo = cls({
      kind: 'auto_reply',
      replyIntent: 'out_of_office',
      isOoo: true,
      oooUntil: '2026-03-28',
    });
    // 29 March 2026 00:00 in Berlin is still CET (UTC+1): DST starts at 02:00 that day
    expect(new Date(planEffects(ooo, ctx)!.holdUntil!).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(planEffects(ooo, { ...ctx, stopRules: { ...rules, stopOnAutoReply: true } })).toMatchObject({
      holdUntil: null,
      contact: { to: 'replied' },
    });
  });
  it('startOfDayAfter across zones', () => {
    expect(new Date(startOfDayAfter('2026-07-01', 'America/New_York')!).toISOString()).toBe(
      '2026-07-02T04:00:00.000Z',
    );
    expect(new Date(startOfDayAfter('2026-12-31', 'UTC')!).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(startOfDayAfter('not a date', 'UTC')).toBeNull();
  });
});
