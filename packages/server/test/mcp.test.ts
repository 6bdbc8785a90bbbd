/**
 * `POST /mcp` on a real HTTP server (createApp on a port), through the official MCP client:
 * tools and their schemas, auth, tool errors, workspace isolation, the launch confirm gate.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, mcpClient, ok, TOOL_NAMES } from './mcp-support';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let a: Client;
let b: Client;

beforeAll(async () => {
  t = await makeTestApp();
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  a = await mcpClient(baseUrl, t.a.apiKey);
  b = await mcpClient(baseUrl, t.b.apiKey);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await new Promise<void>((r) => server.close(() => r()));
  t.close();
});

describe('POST /mcp', () => {
  it('without a key: 401 problem+json with WWW-Authenticate', async () => {
    const res = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    const badKey = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: 'Bearer osk_nope' },
    });
    expect(badKey.status).toBe(401);
    expect(badKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('GET /mcp is 405 (stateless: no stream to resume)', async () => {
    const res = await fetch(`${baseUrl}/mcp`, { headers: { authorization: `Bearer ${t.a.apiKey}` } });
    expect(res.status).toBe(405);
  });

  it('lists every tool with annotations and input schemas from the routes', async () => {
    const { tools } = await a.listTools();
    expect(tools.map((x) => x.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
    }
    const byName = Object.fromEntries(tools.map((x) => [x.name, x]));
    const addStep = byName.add_step!.inputSchema;
    expect(addStep.required).toEqual(expect.arrayContaining(['campaignId', 'order']));
    expect(Object.keys(addStep.properties ?? {})).toEqual(
      expect.arrayContaining(['campaignId', 'order', 'subject', 'bodyHtml', 'delayDays', 'variants']),
    );
    expect(addStep.properties).not.toHaveProperty('workspaceId');
    expect(byName.create_campaign!.inputSchema.properties).toHaveProperty('priority', {
      type: 'string',
      enum: ['HIGH', 'MEDIUM', 'LOW'],
    });
    expect(byName.list_contacts!.inputSchema.properties).toHaveProperty('status');
    expect(byName.launch_campaign!.inputSchema.properties).toHaveProperty('confirm');
    expect(byName.pause_campaign!.inputSchema.properties).not.toHaveProperty('action');
    expect(byName.list_campaigns!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.launch_campaign!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    });
    expect(byName.reply_to_thread!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(byName.reply_to_thread!.inputSchema.required).toEqual(['threadId']);
    expect(Object.keys(byName.reply_to_thread!.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['threadId', 'confirm', 'bodyText', 'bodyHtml']),
    );
    expect(byName.classify_message!.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
    expect(byName.classify_message!.inputSchema.required).toEqual(['raw']);
  });

  it('bad input is a tool error carrying the problem with code and the failing field', async () => {
    const campaign = await ok(a, 'create_campaign', { name: 'Bad input' });
    const wrongType = await callTool(a, 'add_step', { campaignId: campaign.id, order: 'first' });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.body).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(wrongType.body.errors.map((e: { path: string }) => e.path)).toContain('order');

    const noId = await callTool(a, 'add_step', { order: 1, subject: 's', bodyHtml: 'b' });
    expect(noId.isError).toBe(true);
    expect(noId.body.code).toBe('validation_failed');
    expect(noId.body.errors.map((e: { path: string }) => e.path)).toEqual(['campaignId']);

    const badPriority = await callTool(a, 'create_campaign', { name: 'x', priority: 'URGENT' });
    expect(badPriority.body.errors.map((e: { path: string }) => e.path)).toEqual(['priority']);

    const unknown = await callTool(a, 'drop_database', {});
    expect(unknown).toMatchObject({ isError: true, body: { code: 'unknown_tool' } });
  });

  it("another workspace's ids are not found; the workspace is the key's", async () => {
    const mine = await ok(a, 'create_campaign', { name: 'A only', priority: 'HIGH' });
    expect(mine).toMatchObject({ workspaceId: t.a.workspaceId, status: 'draft', priority: 'HIGH' });
    for (const [tool, args] of [
      ['get_campaign', { campaignId: mine.id }],
      ['add_step', { campaignId: mine.id, order: 1, subject: 's', bodyHtml: '<p>b</p>' }],
      ['campaign_stats', { campaignId: mine.id }],
      ['launch_campaign', { campaignId: mine.id }],
      ['import_contacts', { campaignId: mine.id, csv: 'email\nx@y.test\n' }],
    ] as const) {
      const r = await callTool(b, tool, args);
      expect(r.isError, tool).toBe(true);
      expect(r.body, tool).toMatchObject({ status: 404, code: 'not_found' });
    }
    const threads = await ok(b, 'list_threads', { replyIntent: ['interested', 'neutral'], limit: 5 });
    expect(threads).toMatchObject({ threads: [], next_cursor: null });
    const noThread = await callTool(b, 'get_thread', { threadId: 'thr_nope' });
    expect(noThread).toMatchObject({ isError: true, body: { status: 404, code: 'not_found' } });
    const listed = await ok(b, 'list_campaigns');
    expect(listed.items.map((c: { id: string }) => c.id)).not.toContain(mine.id);
    expect((await ok(a, 'list_campaigns')).items.map((c: { id: string }) => c.id)).toContain(mine.id);
  });

  it('launch_campaign without confirm answers preflight and wouldEnrol and changes nothing', async () => {
    const campaign = await ok(a, 'create_campaign', { name: 'Gate' });
    await ok(a, 'add_step', {
      campaignId: campaign.id,
      order: 1,
      subject: 'Hi {{firstName}}',
      bodyHtml: '<p>Hi</p>',
    });
    const imported = await ok(a, 'import_contacts', {
      campaignId: campaign.id,
      csv: 'email,firstName\nsarah@acme.test,Sarah\nmike@bigco.test,Mike\nnot-an-email,X\n',
    });
    expect(imported).toMatchObject({ imported: 2, invalid: 1 });
    const eventsBefore = await t.deps.db.client.execute('SELECT count(*) AS n FROM events');

    const gate = await ok(a, 'launch_campaign', { campaignId: campaign.id });
    expect(gate.confirmRequired).toBe(true);
    expect(gate.wouldEnrol).toBe(2);
    expect(gate.preflight.blockingFailures).toEqual(
      expect.arrayContaining(['has_mailboxes', 'schedule_set']),
    );
    expect(gate.preflight.checks.map((c: { name: string }) => c.name)).toContain('has_steps');
    const limited = await ok(a, 'launch_campaign', { campaignId: campaign.id, limit: 1, confirm: false });
    expect(limited.wouldEnrol).toBe(1);

    expect((await ok(a, 'get_campaign', { campaignId: campaign.id })).status).toBe('draft');
    expect((await ok(a, 'campaign_stats', { campaignId: campaign.id })).contacts).toMatchObject({
      pending: 2,
      active: 0,
    });
    const eventsAfter = await t.deps.db.client.execute('SELECT count(*) AS n FROM events');
    expect(eventsAfter.rows[0]!.n).toBe(eventsBefore.rows[0]!.n);

    // with confirm the route runs: its preflight failure comes back as the route's 409
    const launched = await callTool(a, 'launch_campaign', { campaignId: campaign.id, confirm: true });
    expect(launched.isError).toBe(true);
    expect(launched.body).toMatchObject({ status: 409, code: 'preflight_failed' });
  });

  it('list_contacts, preview_step, add_suppressions and pause answer the routes JSON', async () => {
    const campaign = await ok(a, 'create_campaign', { name: 'Misc' });
    await ok(a, 'import_contacts', { campaignId: campaign.id, csv: 'email,company\nann@acme.test,Acme\n' });
    const contacts = await ok(a, 'list_contacts', { campaignId: campaign.id, status: 'pending', limit: 10 });
    expect(contacts).toMatchObject({
      items: [{ email: 'ann@acme.test', status: 'pending' }],
      next_cursor: null,
    });
    const preview = await ok(a, 'preview_step', {
      step: { subject: 'Hi {{firstName|there}}', bodyHtml: '<p>{{company}}</p>' },
      contact: { email: 'ann@acme.test', company: 'A&B' },
    });
    expect(preview).toMatchObject({ subject: 'Hi there', bodyHtml: '<p>A&amp;B</p>' });
    const sup = await ok(a, 'add_suppressions', { emails: ['ann@acme.test'], reason: 'asked' });
    expect(sup).toMatchObject({ added: 1 });
    const paused = await callTool(a, 'pause_campaign', { campaignId: campaign.id });
    expect(paused).toMatchObject({ isError: true, body: { code: 'invalid_transition' } });
  });

  it('create_subsequence, set_subsequence_routing and list_subsequences answer the routes JSON', async () => {
    const campaign = await ok(a, 'create_campaign', { name: 'Routed' });
    const sub = await ok(a, 'create_subsequence', {
      campaignId: campaign.id,
      name: 'Interested',
      enrollmentMode: 'auto',
    });
    expect(sub).toMatchObject({ campaignId: campaign.id, name: 'Interested', enrollmentMode: 'auto' });
    const rules = [{ trigger: 'reply_intent', value: 'interested', subsequenceId: sub.id }];
    expect(
      await ok(a, 'set_subsequence_routing', { campaignId: campaign.id, routingPolicy: { rules } }),
    ).toEqual({ rules });
    const bad = await callTool(a, 'set_subsequence_routing', {
      campaignId: campaign.id,
      routingPolicy: { rules: [{ ...rules[0], value: 'thrilled' }] },
    });
    expect(bad).toMatchObject({ isError: true, body: { code: 'validation_failed' } });
    const list = await ok(a, 'list_subsequences', { campaignId: campaign.id });
    expect(list.items).toEqual([{ ...sub, counts: { enrolled: 0, active: 0, completed: 0 } }]);
    const theirs = await callTool(b, 'list_subsequences', { campaignId: campaign.id });
    expect(theirs).toMatchObject({ isError: true, body: { code: 'not_found' } });
  });
});
