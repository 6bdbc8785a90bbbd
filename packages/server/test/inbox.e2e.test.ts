/**
 * End to end, the inbound half: the real `outreach start` CLI in a child process, a real SMTP
 * server and a real dovecot, driven through the SDK. Launch → step 1 arrives → a reply is
 * APPENDed to the mailbox → the thread appears with its intent → step 2 goes to the other
 * contact but never to the one who replied → a reply from the Unibox arrives in the thread.
 */
import { Outreach } from '@outreach/sdk';
import {
  freePort,
  type ReceivedMessage,
  type RunningOutreach,
  startDovecot,
  startOutreach,
  startSmtpServer,
  type TestDovecot,
  type TestSmtpServer,
} from '@outreach/testkit';
import { afterAll, beforeAll, beforeEach, expect, it, onTestFailed } from 'vitest';

const MAILBOX = 'ana@cooloutreach.test';
const SMTP_PASSWORD = 'smtp-app-password';
const IMAP_USER = 'ana';
const IMAP_PASSWORD = 'imap-app-password';
const STEP2_DELAY_SECONDS = 8;

let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let server: RunningOutreach;
let client: Outreach;

beforeAll(async () => {
  smtp = await startSmtpServer({ users: { [MAILBOX]: SMTP_PASSWORD } });
  dovecot = await startDovecot({ [IMAP_USER]: IMAP_PASSWORD });
  const port = await freePort();
  server = await startOutreach({
    env: {
      PORT: String(port),
      OUTREACH_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OUTREACH_DISPATCH_INTERVAL_MS: '200',
      OUTREACH_INBOX_POLL_SECONDS: '1',
    },
  });
  client = new Outreach({ apiKey: server.apiKey, baseUrl: server.baseUrl, workspaceId: server.workspaceId });
}, 90_000);

beforeEach(() => {
  onTestFailed(() => {
    const { stdout, stderr } = server?.output() ?? { stdout: '', stderr: '' };
    console.error(`outreach output:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  });
});

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const to = (rcpt: string) => (m: ReceivedMessage) => m.envelope.to.map((t) => t.toLowerCase()).includes(rcpt);

it('a reply stops the contact, shows in the Unibox with its intent, and is answered in the thread', async () => {
  const campaign = await client.campaigns.create({ name: 'Inbox e2e' });
  await client.steps.create(campaign.id, {
    order: 1,
    subject: 'Quick question about {{company}}',
    bodyHtml: '<p>Hi {{firstName}}, would you be open to a quick chat?</p>',
  });
  await client.steps.create(campaign.id, {
    order: 2,
    delaySeconds: STEP2_DELAY_SECONDS,
    subject: 'Re: Quick question about {{company}}',
    bodyHtml: '<p>Just following up.</p>',
  });
  await client.contacts.add(campaign.id, [
    { email: 'sarah@acme.test', firstName: 'Sarah', customJson: { company: 'Acme' } },
    { email: 'mike@bigco.test', firstName: 'Mike', customJson: { company: 'BigCo' } },
  ]);
  const mailbox = await client.mailboxes.create({
    address: MAILBOX,
    firstName: 'Ana',
    dailyLimit: 100,
    smtp: { host: smtp.host, port: smtp.port, secure: false, username: MAILBOX, password: SMTP_PASSWORD },
    imap: {
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      username: IMAP_USER,
      password: IMAP_PASSWORD,
    },
  });
  expect((await client.mailboxes.verify(mailbox.id)).status).toBe('verified');
  await client.campaigns.mailboxes.create(campaign.id, {
    mailboxAddress: MAILBOX,
    dailyLimit: 100,
    weight: 100,
    gapBaseSeconds: 0,
    gapJitterSeconds: 0,
  });
  await client.campaigns.setSchedule(campaign.id, {
    timezone: 'UTC',
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    windows: [{ start: '00:00', end: '24:00' }],
  });
  expect(await client.campaigns.launch(campaign.id)).toMatchObject({ ok: true, status: 'launched' });

  // step 1 arrives for both; Sarah answers it
  await smtp.waitFor(2, 30_000);
  const step1 = smtp.messages.find(to('sarah@acme.test'))!;
  const step1Id = step1.headers['message-id']!;
  await dovecot.append(
    IMAP_USER,
    [
      'From: Sarah Chen <sarah@acme.test>',
      `To: ${MAILBOX}`,
      'Subject: Re: Quick question about Acme',
      `Date: ${new Date().toUTCString()}`,
      '<reply-1@acme.test>'.replace(/^/, 'Message-ID: '),
      `In-Reply-To: ${step1Id}`,
      `References: ${step1Id}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      "Yes, I'm interested! Could we talk on Thursday?",
      '',
      '> Hi Sarah, would you be open to a quick chat?',
      '',
    ].join('\r\n'),
  );

  // the thread appears in the Unibox with its intent
  const thread = await until('the thread', async () => {
    const page = await client.threads.list({ replyIntent: 'interested' });
    return page.items[0];
  });
  expect(thread).toMatchObject({
    campaignId: campaign.id,
    replyIntent: 'interested',
    is_ooo: false,
    mailboxId: mailbox.id,
  });
  const all = [];
  for await (const t of client.threads.list()) all.push(t);
  expect(all.map((t) => t.id)).toEqual([thread.id]);
  const { messages } = await client.threads.messages(thread.id);
  expect(messages.map((m) => m.direction)).toEqual(['outbound', 'inbound']);
  expect(messages[1]!.text).toContain('interested');
  expect(messages[1]!.text).not.toContain('quick chat');
  const sarah = (await client.contacts.list(campaign.id)).items.find((c) => c.email === 'sarah@acme.test')!;
  expect(sarah.status).toBe('replied');

  // step 2 goes to Mike, never to Sarah
  await until(
    'step 2 for mike',
    async () => smtp.messages.filter(to('mike@bigco.test')).length === 2,
    40_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  expect(smtp.messages.filter(to('sarah@acme.test'))).toHaveLength(1);
  const stats = await client.campaigns.stats(campaign.id);
  expect(stats.contacts.replied).toBe(1);
  expect(stats.sends.replied).toBe(1);

  // a reply from the Unibox arrives in the thread
  const before = smtp.messages.length;
  const sent = await client.threads.reply(thread.id, { bodyText: 'Thursday 10:00 works. Talk then!' });
  expect(sent).toMatchObject({ direction: 'outbound', status: 'sent' });
  const [answer] = await until('the Unibox reply', async () => {
    const m = smtp.messages.slice(before).filter(to('sarah@acme.test'));
    return m.length ? m : null;
  });
  expect(answer!.parsed.subject).toBe('Re: Quick question about Acme');
  expect(answer!.headers['in-reply-to']).toBe('<reply-1@acme.test>');
  expect(answer!.headers.references).toContain(step1Id);
  expect(answer!.parsed.text).toContain('Thursday 10:00 works.');
  const updated = await client.threads.get(thread.id);
  expect(updated.message_count).toBe(3);

  // the classifier the loop used, on its own (nothing stored)
  const classified = await client.inbox.classify(
    'From: pat@acme.test\r\nTo: ana@cooloutreach.test\r\nSubject: Re: hi\r\nMessage-ID: <c1@acme.test>\r\n\r\nNot interested, please stop.\r\n',
  );
  expect(classified).toMatchObject({ kind: 'reply', replyIntent: 'not_interested' });
  expect(classified.reasons.length).toBeGreaterThan(0);

  // the label can be corrected
  expect((await client.threads.update(thread.id, { replyIntent: 'neutral' })).replyIntent).toBe('neutral');
  const m = await client.mailboxes.get(mailbox.id);
  expect(m.inbox).toMatchObject({ lastError: null, messagesSeen: 1 });
}, 120_000);
