/**
 * The inbox loop against a real dovecot: replies APPENDed to the mailbox are matched to our
 * sends and change threads, contacts, sends and events as API.md says.
 */
import { startDovecot, type TestDovecot } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dsn, PASSWORD, pollNow, rawMail, rows, seedMailbox, seedSent } from './support';

const MAILBOX = 'sam@acme.test';
let dovecot: TestDovecot;
let deps: TestDeps;
let workspaceId: number;
let mailboxId: string;

beforeAll(async () => {
  dovecot = await startDovecot({ [MAILBOX]: PASSWORD });
  deps = await createTestDeps();
  ({ workspaceId } = await createTestWorkspace(deps));
  mailboxId = await seedMailbox(deps, dovecot, {
    workspaceId,
    address: MAILBOX,
    createdAt: Date.now() - 2000,
  });
}, 60_000);

afterAll(async () => {
  await dovecot?.stop();
  deps?.cleanup();
});

const contactOf = async (id: string) =>
  (
    await rows<{ status: string; next_send_at: number; hold_until: number | null }>(
      deps,
      'SELECT status, next_send_at, hold_until FROM contacts WHERE id = ?',
      [id],
    )
  )[0]!;

describe('inbox loop', () => {
  it('a reply: thread + message, contact replied, waiting sends canceled, send replied, reply.received', async () => {
    const s = await seedSent(deps, { workspaceId, mailboxId, emails: ['ann@prospect.test'] });
    // a waiting step-2 row (as the dispatch loop leaves one between claim and SMTP)
    await deps.db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email,
              status, attempts, scheduled_at, message_id, created_at, updated_at)
            VALUES ('snd_waiting0000000000000000a', ?, ?, ?, ?, ?, 'cmb_x', 'ann@prospect.test', 'scheduled', 0, 0, '<w@acme.test>', 0, 0)`,
      args: [workspaceId, s.campaignId, s.contactIds[0]!, s.stepIds[1]!, mailboxId],
    });
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'Ann <ann@prospect.test>',
        to: MAILBOX,
        subject: 'Re: Quick question',
        text: 'Yes, I am interested! Can we talk on Tuesday?\n\nOn Mon, Sam wrote:\n> Hi Pat',
        inReplyTo: s.sends[0]![0]!.messageId,
        references: [s.sends[0]![0]!.messageId],
      }),
    );
    await pollNow(deps);
    const threads = await rows<Record<string, unknown>>(deps, 'SELECT * FROM threads WHERE contact_id = ?', [
      s.contactIds[0]!,
    ]);
    expect(threads).toHaveLength(1);
    expect(threads[0]!.reply_intent).toBe('interested');
    expect(threads[0]!.subject_display).toBe('Quick question');
    const msgs = await rows<Record<string, unknown>>(deps, 'SELECT * FROM messages WHERE thread_id = ?', [
      threads[0]!.id as string,
    ]);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.kind).toBe('reply');
    expect(msgs[0]!.send_id).toBe(s.sends[0]![0]!.id);
    expect((await contactOf(s.contactIds[0]!)).status).toBe('replied');
    const sends = await rows<{ id: string; status: string }>(
      deps,
      'SELECT id, status FROM sends WHERE contact_id = ? ORDER BY id',
      [s.contactIds[0]!],
    );
    expect(sends.find((x) => x.id === s.sends[0]![0]!.id)!.status).toBe('replied');
    expect(sends.find((x) => x.id === 'snd_waiting0000000000000000a')!.status).toBe('canceled');
    const events = await rows<{ type: string; data: string }>(
      deps,
      'SELECT type, data FROM events WHERE contact_id = ? ORDER BY id',
      [s.contactIds[0]!],
    );
    const received = events.filter((e) => e.type === 'reply.received');
    expect(received).toHaveLength(1);
    const data = JSON.parse(received[0]!.data);
    expect(data).toMatchObject({
      campaignId: s.campaignId,
      contactId: s.contactIds[0],
      email: 'ann@prospect.test',
      threadId: threads[0]!.id,
      messageId: msgs[0]!.id,
      replyIntent: 'interested',
      isOoo: false,
      isAutoReply: false,
      subject: 'Re: Quick question',
    });
    expect(data.bodyText).toContain('interested');
    expect(data.bodyText).not.toContain('Hi Pat');
    expect(events.some((e) => e.type === 'contact.status_changed')).toBe(true);
    const inbox = await rows<Record<string, unknown>>(
      deps,
      'SELECT * FROM mailbox_inbox WHERE mailbox_id = ?',
      [mailboxId],
    );
    expect(inbox[0]!.last_read_at).not.toBeNull();
    expect(inbox[0]!.last_error).toBeNull();
    expect(Number(inbox[0]!.messages_seen)).toBeGreaterThanOrEqual(1);
  });

  it('a reply to step 2 (References chain) counts for step 2', async () => {
    const s = await seedSent(deps, { workspaceId, mailboxId, emails: ['bob@prospect.test'], sentSteps: 2 });
    const [one, two] = s.sends[0]!;
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'bob@prospect.test',
        to: MAILBOX,
        subject: 'Re: Following up',
        text: 'Not interested, thanks.',
        references: [one!.messageId, two!.messageId],
        inReplyTo: '<some-client-id@prospect.test>',
      }),
    );
    await pollNow(deps);
    const sends = await rows<{ id: string; status: string }>(
      deps,
      'SELECT id, status FROM sends WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(sends.find((x) => x.id === two!.id)!.status).toBe('replied');
    expect(sends.find((x) => x.id === one!.id)!.status).toBe('sent');
    const t = await rows<{ reply_intent: string; external_thread_id: string }>(
      deps,
      'SELECT reply_intent, external_thread_id FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t[0]!.reply_intent).toBe('not_interested');
    expect(t[0]!.external_thread_id).toBe(one!.messageId);
  });

  it('a reply without In-Reply-To is matched by its sender; mail matching nothing is not stored', async () => {
    const s = await seedSent(deps, { workspaceId, mailboxId, emails: ['cleo@prospect.test'] });
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'Cleo <Cleo@Prospect.test>',
        to: MAILBOX,
        subject: 'pricing?',
        text: 'What does it cost?',
      }),
    );
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'stranger@elsewhere.test',
        to: MAILBOX,
        subject: 'Hello',
        text: 'Are you interested in SEO?',
      }),
    );
    const before = (await rows<{ n: number }>(deps, 'SELECT count(*) AS n FROM messages'))[0]!.n;
    await pollNow(deps);
    const after = (await rows<{ n: number }>(deps, 'SELECT count(*) AS n FROM messages'))[0]!.n;
    expect(Number(after) - Number(before)).toBe(1);
    const t = await rows<{ reply_intent: string }>(
      deps,
      'SELECT reply_intent FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t).toHaveLength(1);
    expect((await contactOf(s.contactIds[0]!)).status).toBe('replied');
    const stranger = await rows(deps, "SELECT 1 FROM messages WHERE from_email = 'stranger@elsewhere.test'");
    expect(stranger).toHaveLength(0);
  });

  it('company stop: a reply from a colleague stops every contact of that domain, free-mail excepted', async () => {
    const s = await seedSent(deps, {
      workspaceId,
      mailboxId,
      emails: ['dan@bigco.test', 'eve@bigco.test', 'fay@othercorp.test', 'gus@gmail.com', 'hal@gmail.com'],
      stopRules: { stopOnCompanyReply: true },
    });
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'dan@bigco.test',
        to: MAILBOX,
        subject: 'Re: Quick question',
        text: 'Please talk to my colleague instead.',
        inReplyTo: s.sends[0]![0]!.messageId,
      }),
    );
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'gus@gmail.com',
        to: MAILBOX,
        subject: 'Re: Quick question',
        text: 'Sure, tell me more.',
        inReplyTo: s.sends[3]![0]!.messageId,
      }),
    );
    await pollNow(deps);
    const st = await Promise.all(s.contactIds.map(contactOf));
    expect(st.map((c) => c.status)).toEqual(['replied', 'replied', 'active', 'replied', 'active']);
  });

  it('an unsubscribe request adds a suppression (reason unsubscribed)', async () => {
    const s = await seedSent(deps, { workspaceId, mailboxId, emails: ['ivy@prospect.test'] });
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'ivy@prospect.test',
        to: MAILBOX,
        subject: 'Re: Quick question',
        text: 'Please remove me from your list and unsubscribe me.',
        inReplyTo: s.sends[0]![0]!.messageId,
      }),
    );
    await pollNow(deps);
    expect((await contactOf(s.contactIds[0]!)).status).toBe('unsubscribed');
    const sup = await rows<{ reason: string }>(
      deps,
      "SELECT reason FROM suppressions WHERE value = 'ivy@prospect.test'",
    );
    expect(sup).toEqual([{ reason: 'unsubscribed' }]);
    const t = await rows<{ reply_intent: string }>(
      deps,
      'SELECT reply_intent FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t[0]!.reply_intent).toBe('unsubscribe');
  });

  it('a hard bounce (DSN): send bounced, contact bounced, contact.bounced; a soft bounce stops nothing', async () => {
    const s = await seedSent(deps, {
      workspaceId,
      mailboxId,
      emails: ['gone@prospect.test', 'full@prospect.test'],
    });
    await dovecot.append(
      MAILBOX,
      dsn({
        to: MAILBOX,
        recipient: 'gone@prospect.test',
        original: s.sends[0]![0]! && { messageId: s.sends[0]![0]!.messageId, sendId: s.sends[0]![0]!.id },
      }),
    );
    await dovecot.append(
      MAILBOX,
      dsn({
        to: MAILBOX,
        recipient: 'full@prospect.test',
        original: { messageId: s.sends[1]![0]!.messageId, sendId: s.sends[1]![0]!.id },
        status: '4.2.2',
        diagnostic: '452 4.2.2 Mailbox full',
      }),
    );
    await pollNow(deps);
    const [gone, full] = await Promise.all(s.contactIds.map(contactOf));
    expect(gone!.status).toBe('bounced');
    expect(full!.status).toBe('active');
    const sends = await rows<{ contact_id: string; status: string; error: string }>(
      deps,
      'SELECT contact_id, status, error FROM sends WHERE campaign_id = ? ORDER BY contact_id',
      [s.campaignId],
    );
    expect(sends.every((x) => x.status === 'bounced')).toBe(true);
    expect(sends.find((x) => x.contact_id === s.contactIds[0])!.error).toMatch(/^hard bounce/);
    expect(sends.find((x) => x.contact_id === s.contactIds[1])!.error).toMatch(/^soft bounce/);
    const bounced = await rows(
      deps,
      "SELECT 1 FROM events WHERE type = 'contact.bounced' AND contact_id = ?",
      [s.contactIds[0]!],
    );
    expect(bounced).toHaveLength(1);
    const t = await rows<{ reply_intent: string }>(
      deps,
      'SELECT reply_intent FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t[0]!.reply_intent).toBe('bounced');
  });

  it('stopOnBounce false keeps a hard-bounced contact going (its send is still bounced)', async () => {
    const s = await seedSent(deps, {
      workspaceId,
      mailboxId,
      emails: ['nobody@prospect.test'],
      stopRules: { stopOnBounce: false },
    });
    await dovecot.append(
      MAILBOX,
      dsn({
        to: MAILBOX,
        recipient: 'nobody@prospect.test',
        original: { messageId: s.sends[0]![0]!.messageId, sendId: s.sends[0]![0]!.id },
      }),
    );
    await pollNow(deps);
    expect((await contactOf(s.contactIds[0]!)).status).toBe('active');
    const send = await rows<{ status: string }>(deps, 'SELECT status FROM sends WHERE id = ?', [
      s.sends[0]![0]!.id,
    ]);
    expect(send[0]!.status).toBe('bounced');
  });

  it('an out-of-office with a return date holds the next step until the day after, in the campaign zone', async () => {
    const s = await seedSent(deps, {
      workspaceId,
      mailboxId,
      emails: ['olga@prospect.test'],
      timezone: 'Europe/Berlin',
      nextSendAt: Date.now() + 3600_000,
    });
    const year = new Date().getUTCFullYear() + 1;
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'olga@prospect.test',
        to: MAILBOX,
        subject: 'Out of Office: Quick question',
        text: `I am out of the office until ${year}-03-10 and will reply when I am back.`,
        headers: { 'Auto-Submitted': 'auto-replied' },
        inReplyTo: s.sends[0]![0]!.messageId,
      }),
    );
    await pollNow(deps);
    const c = await contactOf(s.contactIds[0]!);
    expect(c.status).toBe('active');
    // 11 March 00:00 in Berlin (CET, UTC+1) = 10 March 23:00 UTC
    expect(new Date(c.hold_until!).toISOString()).toBe(`${year}-03-10T23:00:00.000Z`);
    expect(c.next_send_at).toBe(c.hold_until);
    const t = await rows<{ reply_intent: string; is_ooo: number }>(
      deps,
      'SELECT reply_intent, is_ooo FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t[0]).toEqual({ reply_intent: 'out_of_office', is_ooo: 1 });
    const ev = await rows<{ data: string }>(
      deps,
      "SELECT data FROM events WHERE type = 'reply.received' AND contact_id = ?",
      [s.contactIds[0]!],
    );
    expect(JSON.parse(ev[0]!.data)).toMatchObject({ isOoo: true, replyIntent: 'out_of_office' });
  });

  it('a non-OOO auto-reply is stored and stops nothing by default', async () => {
    const s = await seedSent(deps, { workspaceId, mailboxId, emails: ['ticket@prospect.test'] });
    await dovecot.append(
      MAILBOX,
      rawMail({
        from: 'ticket@prospect.test',
        to: MAILBOX,
        subject: 'Automatic reply: we received your message',
        text: 'Thank you for contacting us. This is an automated response; a ticket was opened.',
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
        inReplyTo: s.sends[0]![0]!.messageId,
      }),
    );
    await pollNow(deps);
    expect((await contactOf(s.contactIds[0]!)).status).toBe('active');
    const t = await rows<{ is_auto_reply: number; is_ooo: number }>(
      deps,
      'SELECT is_auto_reply, is_ooo FROM threads WHERE contact_id = ?',
      [s.contactIds[0]!],
    );
    expect(t[0]).toEqual({ is_auto_reply: 1, is_ooo: 0 });
  });
});
