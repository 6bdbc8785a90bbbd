/**
 * End to end: the real `outreach start` CLI in a child process (API + worker, dispatch every
 * 200 ms), a real SMTP server and a real dovecot (IMAP) on 127.0.0.1, and the seed's whole flow
 * driven through the SDK: campaign → steps → contacts → mailbox → schedule → preflight → launch →
 * step 1 and a threaded step 2 arrive → analytics agree → an unsubscribe link works.
 */
import { Outreach } from '@outreach/sdk';
import {
  dovecotInstalled,
  freePort,
  type ReceivedMessage,
  type RunningOutreach,
  startDovecot,
  startOutreach,
  startSmtpServer,
  type TestDovecot,
  type TestSmtpServer,
} from '@outreach/testkit';
import Papa from 'papaparse';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';

const MAILBOX = 'john@cooloutreach.test';
const SMTP_PASSWORD = 'smtp-app-password';
const IMAP_USER = 'john';
const IMAP_PASSWORD = 'imap-app-password';
const STEP2_DELAY_SECONDS = 2;

const CSV = `email,firstName,lastName,company,title
sarah@acme.test,Sarah,Chen,Acme Corp,VP Sales
mike@bigco.test,Mike,Johnson,BigCo,CTO
`;

let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let server: RunningOutreach;
let client: Outreach;

beforeAll(async () => {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  smtp = await startSmtpServer({ users: { [MAILBOX]: SMTP_PASSWORD } });
  dovecot = await startDovecot({ [IMAP_USER]: IMAP_PASSWORD });
  const port = await freePort();
  server = await startOutreach({
    env: {
      PORT: String(port),
      OUTREACH_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OUTREACH_DISPATCH_INTERVAL_MS: '200',
      OUTREACH_INBOX_POLL_SECONDS: '3600',
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

const byRcpt = (rcpt: string) => (m: ReceivedMessage) =>
  m.envelope.to.map((t) => t.toLowerCase()).includes(rcpt);

describe("the seed's flow against `outreach start`", () => {
  let campaignId: string;
  let stepIds: string[];
  let launchedAt: number;

  it('sets up a campaign through the SDK and launches it', async () => {
    const campaign = await client.campaigns.create({ name: 'Q1 SaaS Outreach', priority: 'HIGH' });
    campaignId = campaign.id;
    expect(campaign.status).toBe('draft');

    const step1 = await client.steps.create(campaignId, {
      order: 1,
      subject: 'Quick question about {{company}}',
      bodyHtml:
        '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast. We help companies like yours with...</p>' +
        '<p>Would you be open to a quick chat?</p><p>Best,<br/>{{senderFirstName}}</p>' +
        '<p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
      bodyText:
        'Hi {{firstName}},\n\nI noticed {{company}} is growing fast. We help companies like yours with...\n\n' +
        'Would you be open to a quick chat?\n\nBest,\n{{senderFirstName}}\n\nUnsubscribe: {{unsubscribeUrl}}',
    });
    const step2 = await client.steps.create(campaignId, {
      order: 2,
      delaySeconds: STEP2_DELAY_SECONDS,
      subject: 'Re: Quick question about {{company}}',
      bodyHtml:
        '<p>Hi {{firstName}},</p><p>Just wanted to follow up on my last email. Would love to connect this week.</p><p>{{senderFirstName}}</p>',
    });
    expect(step2.delaySeconds).toBe(STEP2_DELAY_SECONDS);
    stepIds = [step1.id, step2.id];

    const imported = await client.contacts.import(campaignId, CSV, {
      fileName: 'leads.csv',
      idempotencyKey: 'import-batch-001',
    });
    expect(imported).toMatchObject({ imported: 2, parsed: 2, valid: 2, invalid: 0, upserted: 2 });

    const mailbox = await client.mailboxes.create({
      address: MAILBOX,
      firstName: 'John',
      lastName: 'Doe',
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
    const verified = await client.mailboxes.verify(mailbox.id);
    expect(verified.lastCheck).toMatchObject({ smtp: { ok: true }, imap: { ok: true } });

    const attached = await client.campaigns.mailboxes.create(campaignId, {
      mailboxAddress: MAILBOX,
      dailyLimit: 100,
      weight: 100,
      gapBaseSeconds: 0,
      gapJitterSeconds: 0,
    });
    expect(attached).toMatchObject({ mailboxId: mailbox.id, state: 'active', gapBaseSeconds: 0 });

    await client.campaigns.setSchedule(campaignId, {
      timezone: 'UTC',
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      windows: [{ start: '00:00', end: '24:00' }],
    });

    const preflight = await client.campaigns.preflight(campaignId);
    expect(preflight.blockingFailures).toEqual([]);
    for (const name of ['has_steps', 'has_contacts', 'has_mailboxes', 'mailbox_auth', 'schedule_set']) {
      expect(preflight.checks).toContainEqual(expect.objectContaining({ name, passed: true }));
    }

    launchedAt = Date.now();
    const launched = await client.campaigns.launch(campaignId);
    expect(launched).toMatchObject({ ok: true, status: 'launched', campaignId });
  });

  it('step 1 and a threaded step 2 arrive at the SMTP server, with List-Unsubscribe', async () => {
    const messages = await smtp.waitFor(4, 30_000);
    expect(messages).toHaveLength(4);
    for (const rcpt of ['sarah@acme.test', 'mike@bigco.test']) {
      const mine = messages.filter(byRcpt(rcpt));
      expect(mine).toHaveLength(2);
      const [first, second] = mine as [ReceivedMessage, ReceivedMessage];
      const company = rcpt.startsWith('sarah') ? 'Acme Corp' : 'BigCo';
      const firstName = rcpt.startsWith('sarah') ? 'Sarah' : 'Mike';

      // step 1, rendered, from the mailbox's own SMTP login
      expect(first.user).toBe(MAILBOX);
      expect(first.parsed.subject).toBe(`Quick question about ${company}`);
      expect(first.parsed.from?.value[0]).toMatchObject({ address: MAILBOX, name: 'John Doe' });
      expect(first.headers['content-type']).toMatch(/multipart\/alternative/);
      expect(first.parsed.text).toContain(`Hi ${firstName},`);
      expect(first.parsed.html).toContain(`<p>Hi ${firstName},</p>`);

      // step 2: derived text part, threaded under step 1
      expect(second.parsed.subject).toBe(`Re: Quick question about ${company}`);
      expect(second.parsed.text).toContain('Just wanted to follow up on my last email.');
      const firstId = first.headers['message-id']!;
      expect(firstId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
      expect(second.headers['in-reply-to']).toBe(firstId);
      expect(second.headers.references?.split(/\s+/)).toContain(firstId);
      expect(second.headers['message-id']).not.toBe(firstId);

      for (const m of [first, second]) {
        const unsub = m.headers['list-unsubscribe']!;
        expect(unsub).toMatch(
          new RegExp(`^<${server.baseUrl}/u/[^>]+>, <mailto:${MAILBOX}\\?subject=unsubscribe>$`),
        );
        expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
        expect(m.headers['x-outreach-send-id']).toMatch(/^snd_/);
      }
      // {{unsubscribeUrl}} in the body is the header's link
      const link = /<(http[^>]+)>/.exec(first.headers['list-unsubscribe']!)![1]!;
      expect(first.parsed.text).toContain(link);
    }
  });

  it('step 2 waited its delay after step 1', async () => {
    // the SMTP server has both steps; their outcomes are recorded just after it answered
    const sends = await until('every send to be recorded', async () => {
      const all = [];
      for await (const send of client.sends.list(campaignId)) all.push(send);
      return all.length === 4 && all.every((s) => s.sentAt) ? all : undefined;
    });
    for (const contactId of new Set(sends.map((s) => s.contactId))) {
      const [a, b] = sends
        .filter((s) => s.contactId === contactId)
        .sort((x, y) => x.stepId.localeCompare(y.stepId));
      expect(a!.stepId).toBe(stepIds[0]);
      expect(b!.stepId).toBe(stepIds[1]);
      expect(Date.parse(b!.sentAt!) - Date.parse(a!.sentAt!)).toBeGreaterThanOrEqual(
        STEP2_DELAY_SECONDS * 1000,
      );
      expect(Date.parse(a!.sentAt!)).toBeGreaterThanOrEqual(launchedAt - 1000);
    }
  });

  it('sends, stats and exports agree with what the SMTP server received', async () => {
    // the campaign completes once both contacts have had both steps
    const stats = await until('the campaign to complete', async () => {
      const s = await client.campaigns.stats(campaignId);
      return s.status === 'completed' ? s : undefined;
    });
    expect(stats).toEqual({
      campaignId,
      status: 'completed',
      contacts: {
        total: 2,
        active: 0,
        completed: 2,
        replied: 0,
        bounced: 0,
        pending: 0,
        unsubscribed: 0,
        suppressed: 0,
        failed: 0,
      },
      sends: { total: 4, sent: 4, failed: 0, bounced: 0, replied: 0, interrupted: 0 },
      steps: [
        { stepId: stepIds[0], order: 1, subsequenceId: null, sent: 2, replied: 0, bounced: 0, variants: [] },
        { stepId: stepIds[1], order: 2, subsequenceId: null, sent: 2, replied: 0, bounced: 0, variants: [] },
      ],
      subsequences: [],
    });

    const sends = [];
    for await (const send of client.sends.list(campaignId, { limit: 1 })) sends.push(send);
    expect(sends).toHaveLength(4);
    const received = new Map(smtp.messages.map((m) => [m.headers['x-outreach-send-id'], m]));
    for (const s of sends) {
      expect(s).toMatchObject({ campaignId, status: 'sent', attempts: 1, error: null });
      const m = received.get(s.id);
      expect(m, `send ${s.id} reached the SMTP server`).toBeDefined();
      expect(m!.headers['message-id']).toBe(s.messageId);
      expect(m!.envelope.to).toEqual([s.to]);
    }
    const sentOnly = await client.sends.list(campaignId, { status: 'sent' });
    expect(sentOnly.items).toHaveLength(4);

    const csv = await client.campaigns.export(campaignId, { kind: 'sends' });
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((r) => r.id)).toEqual(sends.map((s) => s.id));
    expect(parsed.data.map((r) => r.messageId)).toEqual(sends.map((s) => s.messageId));

    const summary = await client.campaigns.export(campaignId, { kind: 'summary' });
    expect(summary.stats).toEqual(stats);
  });

  it("a recipient's List-Unsubscribe one-click POST unsubscribes them", async () => {
    const m = smtp.messages.find(byRcpt('mike@bigco.test'))!;
    // the link is on OUTREACH_PUBLIC_URL, here the server itself
    const link = /<(http[^>]+)>/.exec(m.headers['list-unsubscribe']!)![1]!;
    expect(link.startsWith(`${server.baseUrl}/u/`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const stats = await client.campaigns.stats(campaignId);
    expect(stats.contacts).toMatchObject({ total: 2, completed: 1, unsubscribed: 1 });
    const status = await client.suppressions.status('mike@bigco.test');
    expect(status).toMatchObject({ suppressed: true, reason: 'unsubscribed' });
  });
});
