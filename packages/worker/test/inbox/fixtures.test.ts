/**
 * Our labelled fixture set (shared test/fixtures/inbox: replies in four languages, HTML-only
 * Gmail/Outlook replies, OOO by headers / by subject / with a return date, other auto-replies,
 * DSNs shaped like Postfix, Exim, Exchange, Gmail, SES, body-only bounces, soft bounces, ARF
 * complaints, success DSNs) end to end: a launched campaign sends step 1 over a real
 * smtp-server, every fixture is APPENDed to a real dovecot, one inbox poll reads them all, and
 * each one's stored thread, contact, send, suppression and events follow its label; then the
 * dispatch loop on a virtual clock sends step 2 exactly to the contacts that go on (soft bounce,
 * auto-reply, notification), after the hold for an OOO with a return date, and never to the rest.
 *
 * Each fixture gets its own workspace, mailbox (a dovecot user) and campaign, with one contact
 * at the message's sender (replies, auto-replies) or failed / complained-about recipient: the
 * fixtures share senders, and a suppression is workspace-wide. A reply's In-Reply-To and
 * References are set to the Message-ID step 1 went out with (a real reply carries it); bounces
 * and complaints are APPENDed byte for byte and matched by their failed recipient.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId, type Schedule, seededRng, startOfDayAfter, VirtualClock } from '@outreach/shared';
import { startDovecot, startSmtpServer, type TestDovecot, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { recordStatements, type StatementLog, weakPlans } from '@outreach/testkit/plans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { smtpTransportPool } from '../../src/dispatch/transport-pool';
import { attachMailbox, seedCampaign } from '../dispatch/support';
import { PASSWORD, pollNow, rows, seedMailbox } from './support';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/test/fixtures/inbox');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};

interface Label {
  kind: 'reply' | 'auto_reply' | 'bounce' | 'complaint' | 'notification';
  replyIntent?: string;
  isOoo?: boolean;
  isAutoReply?: boolean;
  oooUntil?: string | null;
  bounceType?: 'hard' | 'soft';
  recipient?: string;
}
const labels = JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')) as Record<string, Label>;

interface Case {
  file: string;
  label: Label;
  raw: string;
  user: string;
  email: string;
  workspaceId: number;
  mailboxId: string;
  campaignId: string;
  stepIds: string[];
  contactId: string;
}

const header = (raw: string, name: string): string | null => {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
};

/** The address a fixture is matched on: the sender of a reply, else the failed / reported recipient. */
function matchAddress(raw: string, label: Label): string {
  if (label.recipient) return label.recipient.toLowerCase();
  if (label.kind === 'notification') {
    const m = /Final-Recipient:\s*rfc822;\s*(\S+)/i.exec(raw) ?? /"recipients":\["([^"]+)"/.exec(raw);
    return m![1]!.toLowerCase();
  }
  const from = header(raw, 'From')!;
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();
}

/** Points a reply's In-Reply-To / References (where it has them) at the Message-ID we sent. */
function answering(raw: string, messageId: string): string {
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw
    .slice(0, split)
    .replace(
      /^(In-Reply-To|References):.*(?:\r?\n[ \t].*)*/gim,
      (_m, name: string) => `${name}: ${messageId}`,
    );
  return `${head}${eol}${raw.slice(split).replace(/^\r?\n/, '')}`;
}

const START = Date.now() - 60_000;
const clock = new VirtualClock(START);
let dovecot: TestDovecot;
let smtp: TestSmtpServer;
let deps: TestDeps;
const pool = smtpTransportPool({ allowPrivate: true });
const cases: Case[] = [];
/** Every statement the inbox poll ran (through the real database), for the plan check. */
let ran: StatementLog;
const tick = () => runDispatchTick(deps, { transports: pool, awaitDelivery: true });

async function sendsOf(contactId: string) {
  return rows<{
    step_id: string;
    status: string;
    error: string | null;
    sent_at: number | null;
    message_id: string;
  }>(deps, 'SELECT step_id, status, error, sent_at, message_id FROM sends WHERE contact_id = ?', [contactId]);
}
const contactOf = async (id: string) =>
  (
    await rows<{ status: string; hold_until: number | null; next_send_at: number | null }>(
      deps,
      'SELECT status, hold_until, next_send_at FROM contacts WHERE id = ?',
      [id],
    )
  )[0]!;

/** Whether a fixture's contact gets step 2 (the stop rules seedCampaign sets: reply, unsub, bounce). */
const goesOn = (l: Label) =>
  l.kind === 'auto_reply' || l.kind === 'notification' || (l.kind === 'bounce' && l.bounceType === 'soft');

beforeAll(async () => {
  const files = Object.keys(labels).sort();
  const users = Object.fromEntries(files.map((_, i) => [`fx${i}@acme.test`, PASSWORD]));
  dovecot = await startDovecot(users);
  smtp = await startSmtpServer({});
  deps = await createTestDeps({ clock, rng: seededRng(11) });
  for (const [i, file] of files.entries()) {
    const label = labels[file]!;
    const raw = readFileSync(join(DIR, file), 'utf8');
    const user = `fx${i}@acme.test`;
    const { workspaceId } = await createTestWorkspace(deps, file);
    const mailboxId = await seedMailbox(deps, dovecot, {
      workspaceId,
      address: user,
      createdAt: START - 1000,
    });
    await deps.db.client.execute({
      sql: 'UPDATE mailboxes SET smtp = ? WHERE id = ?',
      args: [JSON.stringify({ host: smtp.host, port: smtp.port, secure: false, username: '' }), mailboxId],
    });
    const campaign = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [
        { subject: 'Quick question', bodyHtml: '<p>Hi {{firstName}}</p>', delaySeconds: 0 },
        { subject: 'Following up', bodyHtml: '<p>Any thoughts?</p>', delaySeconds: 86_400 },
      ],
    });
    await attachMailbox(deps, {
      campaignId: campaign.id,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    const email = matchAddress(raw, label);
    const contactId = newId('contact', START);
    await deps.db.client.execute({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, custom_json, status, current_step,
              next_send_at, enrolled_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'Pat', '{}', 'active', 0, ?, ?, ?, ?)`,
      args: [contactId, workspaceId, campaign.id, email, START, START, START, START],
    });
    cases.push({
      file,
      label,
      raw,
      user,
      email,
      workspaceId,
      mailboxId,
      campaignId: campaign.id,
      stepIds: campaign.stepIds,
      contactId,
    });
  }

  // step 1 to every contact over real SMTP
  for (let n = 0; n < 10; n++) {
    await tick();
    const sent = await rows<{ n: number }>(deps, "SELECT count(*) AS n FROM sends WHERE status = 'sent'");
    if (Number(sent[0]!.n) === cases.length) break;
  }
  expect(smtp.messages).toHaveLength(cases.length);

  for (const c of cases) {
    const [first] = await sendsOf(c.contactId);
    expect(first, c.file).toBeDefined();
    const raw =
      c.label.kind === 'reply' || c.label.kind === 'auto_reply' ? answering(c.raw, first!.message_id) : c.raw;
    await dovecot.append(c.user, raw);
  }
  // one poll reads every mailbox
  // the poll alone through a logging client (dispatch is not this test's subject)
  const real = deps.db.client;
  ran = recordStatements(deps.db);
  await pollNow(deps);
  deps.db.client = real;
}, 180_000);

afterAll(async () => {
  pool.closeAll();
  await smtp?.close();
  await dovecot?.stop();
  deps?.cleanup();
});

const threadOf = async (c: Case) =>
  rows<{ id: string; reply_intent: string; is_ooo: number; is_auto_reply: number }>(
    deps,
    'SELECT id, reply_intent, is_ooo, is_auto_reply FROM threads WHERE workspace_id = ?',
    [c.workspaceId],
  );
/** The kinds of the inbound messages stored in the workspace (its one thread). */
const inboundKinds = async (c: Case) =>
  (
    await rows<{ kind: string }>(
      deps,
      `SELECT m.kind FROM messages m JOIN threads t ON t.id = m.thread_id
       WHERE t.workspace_id = ? AND m.direction = 'inbound'`,
      [c.workspaceId],
    )
  ).map((r) => r.kind);

describe('the labelled fixture set through dovecot and the inbox loop', () => {
  it('covers every kind the issue lists', () => {
    const kinds = new Set(cases.map((c) => c.label.kind));
    expect([...kinds].sort()).toEqual(['auto_reply', 'bounce', 'complaint', 'notification', 'reply']);
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const inbox = cases.map((c) => c.mailboxId);
    expect(inbox).toHaveLength(new Set(inbox).size);
  });

  it('every mailbox was read once, with no error', async () => {
    const read = await rows<{ last_read_at: number | null; last_error: string | null }>(
      deps,
      'SELECT last_read_at, last_error FROM mailbox_inbox',
    );
    expect(read).toHaveLength(cases.length);
    expect(read.every((r) => r.last_read_at !== null && r.last_error === null)).toBe(true);
  });

  it('replies: thread intent, message, contact replied / unsubscribed, send replied, suppression', async () => {
    for (const c of cases.filter((x) => x.label.kind === 'reply')) {
      const t = await threadOf(c);
      expect(t, c.file).toHaveLength(1);
      expect({
        file: c.file,
        intent: t[0]!.reply_intent,
        ooo: t[0]!.is_ooo,
        auto: t[0]!.is_auto_reply,
      }).toEqual({
        file: c.file,
        intent: c.label.replyIntent,
        ooo: 0,
        auto: 0,
      });
      const msgs = await rows<{ kind: string; direction: string }>(
        deps,
        "SELECT kind, direction FROM messages WHERE thread_id = ? AND direction = 'inbound'",
        [t[0]!.id],
      );
      expect(
        msgs.map((m) => m.kind),
        c.file,
      ).toEqual(['reply']);
      const unsub = c.label.replyIntent === 'unsubscribe';
      expect((await contactOf(c.contactId)).status, c.file).toBe(unsub ? 'unsubscribed' : 'replied');
      expect((await sendsOf(c.contactId))[0]!.status, c.file).toBe('replied');
      const sup = await rows<{ reason: string }>(
        deps,
        'SELECT reason FROM suppressions WHERE workspace_id = ?',
        [c.workspaceId],
      );
      expect(sup, c.file).toEqual(unsub ? [{ reason: 'unsubscribed' }] : []);
      const ev = await rows(deps, "SELECT 1 FROM events WHERE type = 'reply.received' AND contact_id = ?", [
        c.contactId,
      ]);
      expect(ev, c.file).toHaveLength(1);
    }
  });

  it('auto-replies: OOO apart from other auto-replies, hold from the return date, contact goes on', async () => {
    for (const c of cases.filter((x) => x.label.kind === 'auto_reply')) {
      const t = await threadOf(c);
      expect(t, c.file).toHaveLength(1);
      const ooo = c.label.isOoo === true;
      expect({
        file: c.file,
        intent: t[0]!.reply_intent,
        ooo: t[0]!.is_ooo,
        auto: t[0]!.is_auto_reply,
      }).toEqual({
        file: c.file,
        intent: c.label.replyIntent,
        ooo: ooo ? 1 : 0,
        auto: ooo ? 0 : 1,
      });
      expect(await inboundKinds(c), c.file).toEqual(['auto_reply']);
      const contact = await contactOf(c.contactId);
      expect(contact.status, c.file).toBe('active');
      expect((await sendsOf(c.contactId))[0]!.status, c.file).toBe('sent');
      if (typeof c.label.oooUntil === 'string') {
        const until = startOfDayAfter(c.label.oooUntil, 'UTC')!;
        expect(contact.hold_until, c.file).toBe(until > START ? until : null);
      } else if (c.label.oooUntil === null || !ooo) {
        expect(contact.hold_until, c.file).toBeNull();
      }
    }
  });

  it('bounces: hard → contact bounced + contact.bounced, soft → contact goes on; the send bounced either way', async () => {
    for (const c of cases.filter((x) => x.label.kind === 'bounce')) {
      const hard = c.label.bounceType === 'hard';
      const [send] = await sendsOf(c.contactId);
      expect({ file: c.file, status: send!.status, type: send!.error?.split(' ')[0] }).toEqual({
        file: c.file,
        status: 'bounced',
        type: c.label.bounceType,
      });
      expect((await contactOf(c.contactId)).status, c.file).toBe(hard ? 'bounced' : 'active');
      const ev = await rows(deps, "SELECT 1 FROM events WHERE type = 'contact.bounced' AND contact_id = ?", [
        c.contactId,
      ]);
      expect(ev, c.file).toHaveLength(hard ? 1 : 0);
      const t = await threadOf(c);
      expect(
        t.map((x) => x.reply_intent),
        c.file,
      ).toEqual(['bounced']);
      expect(await inboundKinds(c), c.file).toEqual(['bounce']);
    }
  });

  it('complaints: suppression (complaint) and contact unsubscribed; notifications change nothing', async () => {
    for (const c of cases.filter((x) => x.label.kind === 'complaint')) {
      const sup = await rows<{ value: string; reason: string }>(
        deps,
        'SELECT value, reason FROM suppressions WHERE workspace_id = ?',
        [c.workspaceId],
      );
      expect(sup, c.file).toEqual([{ value: c.email, reason: 'complaint' }]);
      expect(await inboundKinds(c), c.file).toEqual(['complaint']);
      expect((await contactOf(c.contactId)).status, c.file).toBe('unsubscribed');
    }
    for (const c of cases.filter((x) => x.label.kind === 'notification')) {
      expect(await threadOf(c), c.file).toEqual([]);
      expect(await inboundKinds(c), c.file).toEqual([]);
      expect((await contactOf(c.contactId)).status, c.file).toBe('active');
      expect((await sendsOf(c.contactId))[0]!.status, c.file).toBe('sent');
    }
  });

  it('every statement of the poll follows an index: none reads a whole table or a whole mailbox, workspace or status', async () => {
    expect(ran.ran.size).toBeGreaterThan(10);
    const bad = await weakPlans(ran, `file:${join(deps.dir, 'test.db')}`);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('the dispatch loop sends step 2 exactly to the contacts that go on, after any hold', async () => {
    // three virtual days in 6-hour ticks, then past the latest hold
    const holds = new Map<string, number | null>();
    for (const c of cases) holds.set(c.file, (await contactOf(c.contactId)).hold_until);
    const future = cases.filter(
      (c) => typeof c.label.oooUntil === 'string' && startOfDayAfter(c.label.oooUntil, 'UTC')! > START,
    );
    expect([...holds.values()].filter((h) => h !== null).length).toBeGreaterThanOrEqual(future.length);
    const before = smtp.messages.length;
    while (clock.now() < START + 3 * DAY) {
      clock.advance(6 * HOUR);
      await tick();
    }
    const latest = Math.max(START, ...[...holds.values()].map((h) => h ?? 0));
    if (latest > clock.now()) {
      clock.set(latest + HOUR);
      await tick();
      await tick();
    }
    let secondSends = 0;
    for (const c of cases) {
      const second = (await sendsOf(c.contactId)).filter(
        (s) => s.step_id === c.stepIds[1] && s.status === 'sent',
      );
      const hold = holds.get(c.file) ?? null;
      expect({ file: c.file, step2: second.length }).toEqual({
        file: c.file,
        step2: goesOn(c.label) ? 1 : 0,
      });
      if (second.length === 1) {
        secondSends++;
        expect(second[0]!.sent_at!, c.file).toBeGreaterThanOrEqual(Math.max(hold ?? 0, START + DAY));
        if (hold !== null && hold > START + 3 * DAY)
          expect(second[0]!.sent_at!, c.file).toBeGreaterThan(START + 3 * DAY);
      }
    }
    expect(secondSends).toBeGreaterThan(10);
    expect(smtp.messages.length - before).toBe(secondSends);
  }, 120_000);
});
