/**
 * An agent walking the seed's flow through MCP against the real `outreach start` (API + worker)
 * with a real SMTP server and dovecot: over `POST /mcp` (Streamable HTTP) and over `outreach mcp`
 * (stdio, through the SDK), both with the official MCP client.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Outreach } from '@outreach/sdk';
import {
  dovecotInstalled,
  OUTREACH_BIN,
  type RunningOutreach,
  startDovecot,
  startOutreach,
  startSmtpServer,
  type TestDovecot,
  type TestSmtpServer,
} from '@outreach/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { callTool, mcpClient, ok, TOOL_NAMES } from './mcp-support';

const MAILBOX = 'john@cooloutreach.test';
const SMTP_PASSWORD = 'smtp-app-password';
const IMAP_USER = 'john';
const IMAP_PASSWORD = 'imap-app-password';

let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let server: RunningOutreach;
let http: Client;
let stdio: Client;
let stdioStderr = '';

beforeAll(async () => {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  smtp = await startSmtpServer({ users: { [MAILBOX]: SMTP_PASSWORD } });
  dovecot = await startDovecot({ [IMAP_USER]: IMAP_PASSWORD });
  server = await startOutreach({
    env: { OUTREACH_DISPATCH_INTERVAL_MS: '200', OUTREACH_INBOX_POLL_SECONDS: '3600' },
  });
  http = await mcpClient(server.baseUrl, server.apiKey);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [OUTREACH_BIN, 'mcp'],
    env: { PATH: process.env.PATH ?? '', OUTREACH_URL: server.baseUrl, OUTREACH_API_KEY: server.apiKey },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => {
    stdioStderr += d.toString();
  });
  stdio = new Client({ name: 'outreach-test-stdio', version: '1.0.0' });
  await stdio.connect(transport);
}, 90_000);

beforeEach(() => {
  onTestFailed(() => {
    const { stdout, stderr } = server?.output() ?? { stdout: '', stderr: '' };
    console.error(
      `outreach output:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}\nmcp stdio stderr:\n${stdioStderr.slice(-3000)}`,
    );
  });
});

afterAll(async () => {
  await stdio?.close();
  await http?.close();
  await server?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

describe("the seed's flow through MCP", () => {
  let campaignId: string;

  it('create → step → import → attach → schedule → preflight → launch (confirm) → stats, over HTTP', async () => {
    // registering a mailbox (its passwords) is a human's job: done with the SDK, not a tool
    const sdk = new Outreach({ apiKey: server.apiKey, baseURL: server.baseUrl });
    await sdk.mailboxes.create({
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

    const campaign = await ok(http, 'create_campaign', { name: 'Q1 SaaS Outreach', priority: 'HIGH' });
    campaignId = campaign.id;
    expect(campaign).toMatchObject({ status: 'draft', priority: 'HIGH', workspaceId: server.workspaceId });

    const step = await ok(http, 'add_step', {
      campaignId,
      order: 1,
      subject: 'Quick question about {{company}}',
      bodyHtml:
        '<p>Hi {{firstName}},</p><p>Open to a quick chat?</p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
    });
    expect(step).toMatchObject({ campaignId, order: 1, delaySeconds: 0 });

    const imported = await ok(http, 'import_contacts', {
      campaignId,
      csv: 'email,firstName,lastName,company,title\nsarah@acme.test,Sarah,Chen,Acme Corp,VP Sales\nmike@bigco.test,Mike,Johnson,BigCo,CTO\n',
    });
    expect(imported).toMatchObject({ imported: 2, parsed: 2, valid: 2, invalid: 0, upserted: 2 });

    const mailboxes = await ok(http, 'list_mailboxes');
    expect(mailboxes.items.map((m: { address: string }) => m.address)).toEqual([MAILBOX]);
    const attached = await ok(http, 'attach_mailbox', {
      campaignId,
      mailboxAddress: MAILBOX,
      dailyLimit: 100,
      weight: 100,
      gapBaseSeconds: 0,
      gapJitterSeconds: 0,
    });
    expect(attached).toMatchObject({ campaignId, state: 'active' });

    const schedule = await ok(http, 'set_schedule', {
      campaignId,
      timezone: 'UTC',
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      windows: [{ start: '00:00', end: '24:00' }],
    });
    expect(schedule).toMatchObject({ timezone: 'UTC' });

    const preflight = await ok(http, 'run_preflight', { campaignId });
    expect(preflight.blockingFailures).toEqual([]);
    expect(preflight.checks).toContainEqual(expect.objectContaining({ name: 'mailbox_auth', passed: true }));

    const gate = await ok(http, 'launch_campaign', { campaignId });
    expect(gate).toMatchObject({ confirmRequired: true, wouldEnrol: 2, preflight: { blockingFailures: [] } });
    expect(smtp.messages).toHaveLength(0);
    expect((await ok(http, 'get_campaign', { campaignId })).status).toBe('draft');

    const launched = await ok(http, 'launch_campaign', { campaignId, confirm: true });
    expect(launched).toMatchObject({ ok: true, status: 'launched', campaignId });

    const messages = await smtp.waitFor(2, 30_000);
    expect(messages.map((m) => m.parsed.subject).sort()).toEqual([
      'Quick question about Acme Corp',
      'Quick question about BigCo',
    ]);
    let stats: any;
    for (
      const deadline = Date.now() + 30_000;
      Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 200))
    ) {
      stats = await ok(http, 'campaign_stats', { campaignId });
      if (stats.status === 'completed') break;
    }
    expect(stats).toMatchObject({
      campaignId,
      status: 'completed',
      contacts: { total: 2, completed: 2, pending: 0 },
      sends: { total: 2, sent: 2 },
    });
  });

  it('`outreach mcp` (stdio, through the SDK) has the same tools and answers the same JSON', async () => {
    const { tools } = await stdio.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
    expect(tools).toEqual((await http.listTools()).tools);
    expect(await ok(stdio, 'campaign_stats', { campaignId })).toEqual(
      await ok(http, 'campaign_stats', { campaignId }),
    );
    const created = await ok(stdio, 'create_campaign', { name: 'From stdio' });
    expect(created).toMatchObject({ status: 'draft', workspaceId: server.workspaceId });
    expect((await ok(http, 'get_campaign', { campaignId: created.id })).name).toBe('From stdio');

    const bad = await callTool(stdio, 'add_step', { campaignId: created.id, order: 0 });
    expect(bad.isError).toBe(true);
    expect(bad.body).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('order');
    const missing = await callTool(stdio, 'get_campaign', { campaignId: 'cmp_nope' });
    expect(missing).toMatchObject({ isError: true, body: { status: 404, code: 'not_found' } });
    const gate = await ok(stdio, 'launch_campaign', { campaignId: created.id });
    expect(gate).toMatchObject({ confirmRequired: true, wouldEnrol: 0 });
    // a raw (non-JSON) body goes through the SDK as message/rfc822
    const raw =
      'From: a@acme.test\r\nSubject: Re: hi\r\nIn-Reply-To: <x@cooloutreach.test>\r\n\r\nNot interested, thanks.\r\n';
    const classified = await ok(stdio, 'classify_message', { raw });
    expect(classified).toMatchObject({ kind: 'reply', replyIntent: 'not_interested' });
    expect(classified).toEqual(await ok(http, 'classify_message', { raw }));
  });
});
