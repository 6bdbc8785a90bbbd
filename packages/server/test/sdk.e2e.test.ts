import {
  AuthenticationError,
  type Campaign,
  NotFoundError,
  Outreach,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '@outreach/sdk';
import { type RunningOutreach, startOutreach } from '@outreach/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';

/** The real `outreach start` CLI in a child process, driven only through the published SDK. */
let server: RunningOutreach;
let client: Outreach;

beforeAll(async () => {
  server = await startOutreach();
  client = new Outreach({ apiKey: server.apiKey, baseUrl: server.baseUrl, workspaceId: server.workspaceId });
}, 60_000);

beforeEach(() => {
  onTestFailed(() => {
    const { stdout, stderr } = server.output();
    console.error(`outreach output:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  });
});

afterAll(async () => {
  await server?.stop();
  expect(server.child.exitCode !== null || server.child.signalCode !== null).toBe(true);
});

describe('SDK against the running CLI', () => {
  it('the first run printed a workspace and a key', () => {
    expect(server.workspaceId).toBe(1);
    expect(server.apiKey).toMatch(/^osk_/);
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates, reads, updates and deletes a campaign', async () => {
    const created = await client.campaigns.create({ name: 'Q1 SaaS Outreach', priority: 'HIGH' });
    expect(created).toMatchObject({
      workspaceId: server.workspaceId,
      name: 'Q1 SaaS Outreach',
      priority: 'HIGH',
      status: 'draft',
    });
    expect(created.id).toMatch(/^cmp_/);
    expect(created.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

    const got = await client.campaigns.get(created.id);
    expect(got.id).toBe(created.id);
    expect(got.stopRules.stopOnReply).toBe(true);

    const renamed = await client.campaigns.update(created.id, { name: 'Renamed', priority: 'LOW' });
    expect(renamed).toMatchObject({ id: created.id, name: 'Renamed', priority: 'LOW' });

    await client.campaigns.delete(created.id);
    await expect(client.campaigns.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("adds the seed's steps (with variants), lists them by order, previews, updates and deletes", async () => {
    const campaign = await client.campaigns.create({ name: 'Steps', priority: 'MEDIUM' });
    const first = await client.steps.create(campaign.id, {
      order: 1,
      subject: 'Quick question about {{company}}',
      bodyHtml:
        '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast.</p><p>Best,<br/>{{senderFirstName}}</p>',
      bodyText: 'Hi {{firstName}},\n\nI noticed {{company}} is growing fast.\n\nBest,\n{{senderFirstName}}',
    });
    expect(first).toMatchObject({ campaignId: campaign.id, order: 1, delaySeconds: 0, variants: [] });
    expect(first.id).toMatch(/^stp_/);

    const third = await client.steps.create(campaign.id, {
      order: 3,
      delayDays: 5,
      subject: 'Last try — {{firstName}}',
      bodyHtml: "<p>Hi {{firstName}},</p><p>I'll keep this short.</p>",
    });
    const second = await client.steps.create(campaign.id, {
      order: 2,
      delayDays: 3,
      subject: 'Re: Quick question about {{company}}',
      bodyHtml: '<p>Hi {{firstName}},</p><p>Just wanted to follow up.</p>',
      variants: [
        { subject: 'Re: Quick question about {{company}}', bodyHtml: '<p>Variant A</p>', weight: 50 },
        { subject: 'Idea for {{company}}', bodyHtml: '<p>Variant B</p>', weight: 50 },
      ],
    });
    expect(second.delaySeconds).toBe(259_200);
    expect(second.variants).toHaveLength(2);
    expect(second.variants.map((v) => v.id)).toEqual([
      expect.stringMatching(/^var_/),
      expect.stringMatching(/^var_/),
    ]);

    const page = await client.steps.list(campaign.id);
    expect(page.items.map((s) => s.order)).toEqual([1, 2, 3]);
    expect(page.hasNextPage()).toBe(false);

    const preview = await client.steps.preview({
      step: { subject: first.subject, bodyHtml: first.bodyHtml },
      contact: { firstName: 'Sarah', lastName: 'Chen', company: 'Acme Corp', email: 'sarah@acme.com' },
    });
    expect(preview.subject).toBe('Quick question about Acme Corp');
    expect(preview.bodyHtml).toContain('<p>Hi Sarah,</p><p>I noticed Acme Corp is growing fast.</p>');

    const updated = await client.steps.update(third.id, { subject: 'Updated subject line', delayDays: 2 });
    expect(updated).toMatchObject({ id: third.id, subject: 'Updated subject line', delaySeconds: 172_800 });

    await client.steps.delete(third.id);
    const ids: string[] = [];
    for await (const s of client.steps.list(campaign.id)) ids.push(s.id);
    expect(ids).toEqual([first.id, second.id]);
    await expect(client.steps.update(third.id, { subject: 'gone' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('iterates 120 campaigns across pages with for await', async () => {
    const before: string[] = [];
    for await (const c of client.campaigns.list()) before.push(c.id);

    const made: Campaign[] = [];
    for (let batch = 0; batch < 12; batch++) {
      made.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => client.campaigns.create({ name: `bulk ${batch * 10 + i}` })),
        )),
      );
    }
    const seen: string[] = [];
    for await (const c of client.campaigns.list({ limit: 50 })) seen.push(c.id);
    expect(seen).toHaveLength(before.length + 120);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(before.length).sort()).toEqual(made.map((c) => c.id).sort());
    expect([...seen].sort()).toEqual(seen); // oldest first: ids are time-sortable

    const sizes: number[] = [];
    for await (const page of client.campaigns.list({ limit: 50 }).iterPages()) sizes.push(page.items.length);
    const total = before.length + 120;
    expect(sizes).toEqual([50, 50, total - 100]);
  });

  it('a POST with the same Idempotency-Key is answered once', async () => {
    const key = `e2e-${Date.now()}`;
    const a = await client.campaigns.create({ name: 'Once' }, { idempotencyKey: key });
    const b = await client.campaigns.create({ name: 'Once' }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
  });

  it('typed errors carry status, code, requestId and field errors', async () => {
    const missing = await client.campaigns.get('cmp_doesnotexist').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    const nf = missing as NotFoundError;
    expect(nf.status).toBe(404);
    expect(nf.code).toBe('not_found');
    expect(nf.requestId).toBeTruthy();
    expect(nf.requestId).toBe(nf.headers.get('x-request-id'));

    const invalid = await client.campaigns
      .create({ name: '', priority: 'URGENT' as 'HIGH' })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    const ue = invalid as UnprocessableEntityError;
    expect(ue.status).toBe(422);
    expect(ue.code).toBe('validation_failed');
    expect(ue.requestId).toBeTruthy();
    expect(ue.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['name', 'priority']));

    const stepErr = await client.steps
      .create('cmp_doesnotexist', { order: 1, subject: 's', bodyHtml: '<p>b</p>' })
      .catch((e: unknown) => e);
    expect(stepErr).toBeInstanceOf(NotFoundError);

    const other = new Outreach({
      apiKey: server.apiKey,
      baseUrl: server.baseUrl,
      workspaceId: server.workspaceId + 1,
    });
    await expect(other.campaigns.list()).rejects.toBeInstanceOf(PermissionDeniedError);

    const badKey = new Outreach({
      apiKey: 'osk_not_a_key',
      baseUrl: server.baseUrl,
      workspaceId: server.workspaceId,
    });
    const auth = await badKey.campaigns.list().catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect((auth as AuthenticationError).code).toBe('unauthorized');
  });
});
