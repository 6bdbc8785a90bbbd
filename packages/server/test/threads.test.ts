/**
 * The Unibox routes over threads the real inbox loop made from replies APPENDed to a real
 * dovecot, and replies sent through a real smtp-server.
 */
import { newId } from '@outreach/shared';
import { recordStatements, type StatementLog, weakPlans } from '@outreach/testkit/plans';
import { inboxLoop } from '@outreach/worker/loops/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, type Peers, readyCampaign, startPeers } from './peers';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
let peers: Peers;
let mailboxId: string;
let campaignId: string;
let ran: StatementLog;
const sends: { contactId: string; email: string; sendId: string; messageId: string }[] = [];
const threadBy: Record<string, string> = {};

async function poll(): Promise<void> {
  await t.deps.db.client.execute(
    "UPDATE jobs SET run_at = 0 WHERE kind = 'inbox_poll' AND state IN ('queued', 'retry')",
  );
  await inboxLoop().tick(t.deps, { workerId: 'test', stopping: () => false });
}

function reply(
  from: string,
  inReplyTo: string,
  text: string,
  subject = 'Re: Quick question about Acme',
): string {
  return [
    `From: ${from}`,
    `To: ${ADDRESS}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <r-${Math.random().toString(36).slice(2)}@prospect.test>`,
    `In-Reply-To: ${inReplyTo}`,
    `References: ${inReplyTo}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
}

beforeAll(async () => {
  peers = await startPeers();
  t = await makeTestApp();
  const created = await t.a.req('POST', '/mailboxes', { body: peers.mailboxBody() });
  mailboxId = created.body.id;
  const v = await t.a.req('POST', `/mailboxes/${mailboxId}/verify`);
  expect(v.body.status).toBe('verified');
  campaignId = await readyCampaign(t, t.a, { contacts: 3, mailboxAddress: ADDRESS });
  const contacts = await t.deps.db.client.execute({
    sql: 'SELECT id, email FROM contacts WHERE campaign_id = ? ORDER BY email',
    args: [campaignId],
  });
  const steps = await t.deps.db.client.execute({
    sql: 'SELECT id FROM steps WHERE campaign_id = ?',
    args: [campaignId],
  });
  const cmb = await t.deps.db.client.execute({
    sql: 'SELECT id FROM campaign_mailboxes WHERE campaign_id = ?',
    args: [campaignId],
  });
  const now = Date.now();
  for (const c of contacts.rows) {
    const sendId = newId('send', now);
    const messageId = `<${sendId}@cooloutreach.com>`;
    sends.push({ contactId: String(c.id), email: String(c.email), sendId, messageId });
    await t.deps.db.client.batch(
      [
        {
          sql: `UPDATE contacts SET status = 'active', current_step = 1, mailbox_id = ?, next_send_at = ? WHERE id = ?`,
          args: [mailboxId, now + 86_400_000, String(c.id)],
        },
        {
          sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email,
                  status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?, ?, ?, ?)`,
          args: [
            sendId,
            t.a.workspaceId,
            campaignId,
            String(c.id),
            String(steps.rows[0]!.id),
            mailboxId,
            String(cmb.rows[0]!.id),
            String(c.email),
            now - 5000,
            now - 5000,
            messageId,
            now,
            now,
          ],
        },
      ],
      'write',
    );
  }
  const texts = [
    'Yes, I am interested. Let us talk next week.',
    'Not interested, thank you.',
    'How much does it cost?',
  ];
  for (const [i, s] of sends.entries()) {
    await peers.dovecot.append(ADDRESS, reply(s.email, s.messageId, texts[i]!));
    await poll(); // one poll per reply: their threads get distinct activity times
  }
  const th = await t.deps.db.client.execute('SELECT id, contact_id FROM threads');
  for (const r of th.rows) threadBy[sends.find((s) => s.contactId === r.contact_id)!.email] = String(r.id);
  // from here on, what the thread routes run is logged for the plan check at the end
  ran = recordStatements(t.deps.db);
}, 60_000);

afterAll(async () => {
  await peers?.close();
  t?.close();
});

describe('GET /threads', () => {
  it('lists threads newest activity first, with the field names of API.md', async () => {
    const res = await t.a.req('GET', '/threads');
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.threads.map((x: { contactId: string }) => x.contactId)).toEqual(
      [...sends].reverse().map((s) => s.contactId),
    );
    const first = res.body.threads[2];
    expect(Object.keys(first).sort()).toEqual(
      [
        'id',
        'external_thread_id',
        'subject',
        'subject_display',
        'last_message',
        'message_count',
        'replyIntent',
        'campaignId',
        'contactId',
        'mailboxId',
        'is_ooo',
        'is_auto_reply',
        'updatedAt',
      ].sort(),
    );
    expect(first).toMatchObject({
      external_thread_id: sends[0]!.messageId,
      subject: 'Re: Quick question about Acme',
      subject_display: 'Quick question about Acme',
      message_count: 2,
      replyIntent: 'interested',
      campaignId,
      mailboxId,
      is_ooo: false,
      is_auto_reply: false,
      last_message: { from_email: sends[0]!.email },
    });
    expect(first.last_message.body_text).toContain('interested');
    expect(first.updatedAt).toMatch(/Z$/);
  });

  it('filters by intent (repeatable), campaign, mailbox and updatedSince; bad values are 422', async () => {
    const one = await t.a.req('GET', '/threads?replyIntent=interested');
    expect(one.body.threads.map((x: { id: string }) => x.id)).toEqual([threadBy[sends[0]!.email]]);
    const two = await t.a.req('GET', '/threads?replyIntent=interested&replyIntent=not_interested');
    expect(two.body.threads).toHaveLength(2);
    expect(two.body.threads[0].replyIntent).toBe('not_interested');
    expect((await t.a.req('GET', `/threads?campaignId=${campaignId}`)).body.threads).toHaveLength(3);
    expect((await t.a.req('GET', '/threads?campaignId=cmp_other')).body.threads).toHaveLength(0);
    expect((await t.a.req('GET', `/threads?mailboxId=${mailboxId}`)).body.threads).toHaveLength(3);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await t.a.req('GET', `/threads?updatedSince=${future}`)).body.threads).toHaveLength(0);
    expectProblem(
      await t.a.req('GET', '/threads?replyIntent=happy'),
      422,
      'validation_failed',
      'replyIntent',
    );
    expectProblem(await t.a.req('GET', '/threads?cursor=nope'), 422, 'validation_failed', 'cursor');
  });

  it('pages with a cursor, no thread twice, none missing', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.a.req('GET', '/threads', { query: { limit: 1, cursor: cursor ?? undefined } });
      seen.push(...res.body.threads.map((x: { id: string }) => x.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual((await t.a.req('GET', '/threads')).body.threads.map((x: { id: string }) => x.id));
  });
});

describe('a thread', () => {
  it('GET /threads/{id} and its messages: our send rendered, then the reply with kind, text, reasons', async () => {
    const id = threadBy[sends[0]!.email]!;
    const one = await t.a.req('GET', `/threads/${id}`);
    expect(one.body).toMatchObject({ id, replyIntent: 'interested', message_count: 2 });
    const res = await t.a.req('GET', `/threads/${id}/messages`);
    expect(res.status).toBe(200);
    expect(res.body.replyIntent).toBe('interested');
    expect(res.body.campaignId).toBe(campaignId);
    const [out, inb] = res.body.messages;
    expect(out).toMatchObject({
      id: sends[0]!.sendId,
      message_id: sends[0]!.messageId,
      direction: 'outbound',
      from_email: ADDRESS,
      to_emails: [sends[0]!.email],
      subject: 'Quick question about Acme 0',
    });
    expect(out.body_html).toContain('Hi Lead0');
    expect(inb).toMatchObject({ direction: 'inbound', kind: 'reply', in_reply_to: sends[0]!.messageId });
    expect(inb.id).toMatch(/^msg_/);
    expect(inb.text).toContain('interested');
    expect(inb.reasons.length).toBeGreaterThan(0);
  });

  it('PATCH corrects the label and writes thread.intent_changed', async () => {
    const id = threadBy[sends[2]!.email]!;
    const res = await t.a.req('PATCH', `/threads/${id}`, { body: { replyIntent: 'interested' } });
    expect(res.status).toBe(200);
    expect(res.body.replyIntent).toBe('interested');
    const ev = await t.deps.db.client.execute({
      sql: "SELECT data FROM events WHERE type = 'thread.intent_changed' AND contact_id = ?",
      args: [sends[2]!.contactId],
    });
    expect(JSON.parse(String(ev.rows[0]!.data))).toMatchObject({
      threadId: id,
      replyIntent: 'interested',
      source: 'manual',
    });
    expectProblem(
      await t.a.req('PATCH', `/threads/${id}`, { body: { replyIntent: 'maybe' } }),
      422,
      'validation_failed',
      'replyIntent',
    );
  });
});

describe('POST /threads/{id}/reply', () => {
  it('sends from the mailbox in the thread, Re: subject, never twice under one Idempotency-Key', async () => {
    const id = threadBy[sends[0]!.email]!;
    const before = peers.smtp.messages.length;
    const body = { bodyText: 'Great, how about Tuesday at 10?' };
    const res = await t.a.req('POST', `/threads/${id}/reply`, {
      body,
      headers: { 'Idempotency-Key': 'reply-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      direction: 'outbound',
      status: 'sent',
      subject: 'Re: Quick question about Acme',
    });
    const again = await t.a.req('POST', `/threads/${id}/reply`, {
      body,
      headers: { 'Idempotency-Key': 'reply-1' },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(res.body.id);
    expect(peers.smtp.messages.length).toBe(before + 1);
    const mail = peers.smtp.messages[before]!;
    expect(mail.envelope.to).toEqual([sends[0]!.email]);
    expect(mail.headers.subject).toBe('Re: Quick question about Acme');
    expect(mail.headers['message-id']).toBe(res.body.message_id);
    const inbound = (await t.a.req('GET', `/threads/${id}/messages`)).body.messages.find(
      (m: { direction: string }) => m.direction === 'inbound',
    );
    expect(mail.headers['in-reply-to']).toBe(inbound.message_id);
    expect(mail.headers.references).toContain(sends[0]!.messageId);
    const thread = (await t.a.req('GET', `/threads/${id}`)).body;
    expect(thread.message_count).toBe(3);
    expect(thread.last_message.from_email).toBe(ADDRESS);
  });

  it('a retried request whose first attempt died after reserving is never sent again', async () => {
    const id = threadBy[sends[1]!.email]!;
    // the row a crash between SMTP and the record leaves behind
    await t.deps.db.client.execute({
      sql: `INSERT INTO messages (id, workspace_id, thread_id, mailbox_id, direction, message_id, "references", from_email,
              to_emails, cc_emails, subject, reasons, status, request_key, date_received, created_at)
            VALUES ('msg_crashed00000000000000000', ?, ?, ?, 'outbound', '<c@x>', '[]', ?, '[]', '[]', 'Re: x', '[]',
              'sending', 'reply-crash', 0, ?)`,
      args: [t.a.workspaceId, id, mailboxId, ADDRESS, Date.now()],
    });
    const before = peers.smtp.messages.length;
    const res = await t.a.req('POST', `/threads/${id}/reply`, {
      body: { bodyText: 'Hello again' },
      headers: { 'Idempotency-Key': 'reply-crash' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'msg_crashed00000000000000000', status: 'sending' });
    expect(peers.smtp.messages.length).toBe(before);
  });

  it('429 mailbox_daily_limit when the mailbox reached its daily total; 409 when paused; 422 without a body', async () => {
    const id = threadBy[sends[1]!.email]!;
    await t.deps.db.client.execute({
      sql: 'UPDATE mailboxes SET daily_limit = 3 WHERE id = ?',
      args: [mailboxId],
    });
    // 3 sends + 1 Unibox reply + 1 reserved one in the last 24 h
    expectProblem(
      await t.a.req('POST', `/threads/${id}/reply`, { body: { bodyText: 'x' } }),
      429,
      'mailbox_daily_limit',
    );
    await t.deps.db.client.execute({
      sql: 'UPDATE mailboxes SET daily_limit = 100 WHERE id = ?',
      args: [mailboxId],
    });
    await t.deps.db.client.execute({
      sql: "UPDATE campaign_mailboxes SET state = 'paused' WHERE mailbox_id = ?",
      args: [mailboxId],
    });
    expectProblem(
      await t.a.req('POST', `/threads/${id}/reply`, { body: { bodyText: 'x' } }),
      409,
      'mailbox_unavailable',
    );
    await t.deps.db.client.execute({
      sql: "UPDATE campaign_mailboxes SET state = 'active' WHERE mailbox_id = ?",
      args: [mailboxId],
    });
    expectProblem(await t.a.req('POST', `/threads/${id}/reply`, { body: {} }), 422, 'validation_failed');
  });
});

describe('mailbox inbox state', () => {
  it('GET /mailboxes/{id} and mailbox-preflight carry inbox {lastReadAt, lastError, messagesSeen}', async () => {
    const m = await t.a.req('GET', `/mailboxes/${mailboxId}`);
    expect(m.body.inbox.lastError).toBeNull();
    expect(m.body.inbox.lastReadAt).toMatch(/Z$/);
    expect(m.body.inbox.messagesSeen).toBe(3);
    const p = await t.a.req('GET', `/campaigns/${campaignId}/mailbox-preflight`);
    expect(p.body.items[0].inbox).toMatchObject({ lastError: null, messagesSeen: 3 });
  });
});

describe('isolation', () => {
  it("another workspace's threads are 404 on every thread route; another workspaceId with the key is 403", async () => {
    const id = threadBy[sends[0]!.email]!;
    const calls = [
      ['GET', `/threads/${id}`, undefined],
      ['GET', `/threads/${id}/messages`, undefined],
      ['PATCH', `/threads/${id}`, { replyIntent: 'neutral' }],
      ['POST', `/threads/${id}/reply`, { bodyText: 'hi' }],
    ] as const;
    for (const [method, path, body] of calls) {
      expectProblem(await t.b.req(method, path, { body }), 404, 'not_found');
      const res = await t.a.req(method, path, { body, query: { workspaceId: t.b.workspaceId } });
      expect(res.status).toBe(403);
    }
    expect((await t.b.req('GET', '/threads')).body.threads).toEqual([]);
    expect((await t.a.req('GET', '/threads', { query: { workspaceId: t.b.workspaceId } })).status).toBe(403);
    expect((await t.b.req('GET', `/threads/${id}`)).status).toBe(404);
  });
});

describe('query plans', () => {
  it('every statement the thread routes ran follows an index (no whole mailbox, workspace or table)', async () => {
    expect(ran.ran.size).toBeGreaterThan(10);
    const bad = await weakPlans(ran, t.deps.config.databaseUrl);
    expect(bad, bad.join('\n')).toEqual([]);
  });
});
