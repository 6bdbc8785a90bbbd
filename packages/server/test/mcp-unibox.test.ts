/**
 * The Unibox tools over MCP (`reply_to_thread`'s confirm gate, `classify_message`) on a real
 * HTTP server, with a real smtp-server behind the thread's mailbox.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { newId } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, mcpClient, ok } from './mcp-support';
import { ADDRESS, type Peers, readyCampaign, startPeers } from './peers';
import { makeTestApp, type TestApp } from './support';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../shared/test/fixtures/inbox');

let t: TestApp;
let peers: Peers;
let server: ReturnType<typeof serve>;
let a: Client;
let b: Client;
let threadId: string;
let contactEmail: string;

const outbound = async () =>
  Number(
    (await t.deps.db.client.execute("SELECT count(*) AS n FROM messages WHERE direction = 'outbound'"))
      .rows[0]!.n,
  );

beforeAll(async () => {
  peers = await startPeers();
  t = await makeTestApp();
  const created = await t.a.req('POST', '/mailboxes', { body: peers.mailboxBody() });
  const mailboxId = created.body.id as string;
  expect((await t.a.req('POST', `/mailboxes/${mailboxId}/verify`)).body.status).toBe('verified');
  const campaignId = await readyCampaign(t, t.a, { contacts: 1, mailboxAddress: ADDRESS });
  const contact = (
    await t.deps.db.client.execute({
      sql: 'SELECT id, email FROM contacts WHERE campaign_id = ?',
      args: [campaignId],
    })
  ).rows[0]!;
  contactEmail = String(contact.email);
  // the thread the inbox loop would have made from the contact's reply (threads.test.ts makes one for real)
  const now = Date.now();
  threadId = newId('thread', now);
  await t.deps.db.client.execute({
    sql: `INSERT INTO threads (id, workspace_id, campaign_id, contact_id, mailbox_id, external_thread_id, subject,
            subject_display, reply_intent, message_count, last_from_email, last_at, last_body_text, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, '<snd_1@cooloutreach.com>', 'Re: Quick question about Acme', 'Quick question about Acme',
            'interested', 1, ?, ?, 'Yes, tell me more.', ?, ?)`,
    args: [threadId, t.a.workspaceId, campaignId, String(contact.id), mailboxId, contactEmail, now, now, now],
  });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  a = await mcpClient(baseUrl, t.a.apiKey);
  b = await mcpClient(baseUrl, t.b.apiKey);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
  await peers?.close();
  t?.close();
});

describe('reply_to_thread', () => {
  it('without confirm renders the reply and sends nothing', async () => {
    const smtpBefore = peers.smtp.messages.length;
    const eventsBefore = (await t.deps.db.client.execute('SELECT count(*) AS n FROM events')).rows[0]!.n;
    const gate = await ok(a, 'reply_to_thread', { threadId, bodyText: 'Great!\n\nTuesday at 10?' });
    expect(gate).toEqual({
      confirmRequired: true,
      rendered: {
        to: contactEmail,
        subject: 'Re: Quick question about Acme',
        bodyText: 'Great!\n\nTuesday at 10?',
        bodyHtml: '<p>Great!</p>\n<p>Tuesday at 10?</p>',
      },
    });
    const asFalse = await ok(a, 'reply_to_thread', { threadId, bodyHtml: '<p>Hi</p>', confirm: false });
    expect(asFalse.rendered).toMatchObject({ bodyHtml: '<p>Hi</p>', bodyText: 'Hi' });
    expect(peers.smtp.messages.length).toBe(smtpBefore);
    expect(await outbound()).toBe(0);
    expect((await t.deps.db.client.execute('SELECT count(*) AS n FROM events')).rows[0]!.n).toBe(
      eventsBefore,
    );
  });

  it('without a body is a tool error naming the field, even unconfirmed', async () => {
    const r = await callTool(a, 'reply_to_thread', { threadId });
    expect(r.isError).toBe(true);
    expect(r.body).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(r.body.errors[0].path).toBe('bodyText');
  });

  it("another workspace's thread is not found, confirmed or not", async () => {
    for (const confirm of [false, true]) {
      const r = await callTool(b, 'reply_to_thread', { threadId, bodyText: 'Hi', confirm });
      expect(r.isError).toBe(true);
      expect(r.body).toMatchObject({ status: 404 });
    }
    expect(await outbound()).toBe(0);
  });

  it('with confirm sends the reply through the mailbox and records it', async () => {
    const smtpBefore = peers.smtp.messages.length;
    const sent = await ok(a, 'reply_to_thread', {
      threadId,
      bodyText: 'Tuesday at 10 works.',
      confirm: true,
    });
    expect(sent).toMatchObject({
      direction: 'outbound',
      status: 'sent',
      to_emails: [contactEmail],
      subject: 'Re: Quick question about Acme',
    });
    expect(peers.smtp.messages.length).toBe(smtpBefore + 1);
    expect(await outbound()).toBe(1);
  });
});

describe('classify_message', () => {
  it('classifies a raw bounce and a raw reply, storing nothing', async () => {
    const bounce = await ok(a, 'classify_message', {
      raw: readFileSync(join(fixtures, 'bounce-gmail-no-such-user.eml'), 'utf8'),
    });
    expect(bounce).toMatchObject({ kind: 'bounce', bounce: { type: 'hard', status: '5.1.1' } });
    const reply = await ok(a, 'classify_message', {
      raw: [
        'From: Sarah <sarah@acme.test>',
        `To: ${ADDRESS}`,
        'Subject: Re: Quick question about Acme',
        'Message-ID: <r-1@acme.test>',
        'In-Reply-To: <snd_1@cooloutreach.com>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Yes, I am interested. Let us talk next week.',
        '',
      ].join('\r\n'),
    });
    expect(reply).toMatchObject({ kind: 'reply', replyIntent: 'interested' });
    expect(reply.reasons.length).toBeGreaterThan(0);
  });

  it('without raw is a tool error naming it', async () => {
    const r = await callTool(a, 'classify_message', {});
    expect(r.isError).toBe(true);
    expect(r.body).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(r.body.errors[0].path).toBe('raw');
  });
});
