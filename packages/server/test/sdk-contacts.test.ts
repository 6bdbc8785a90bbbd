import { APIError, Outreach, UnprocessableEntityError } from '@outreach/sdk';
import { type RunningOutreach, startOutreach } from '@outreach/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';

/** Contacts, imports and suppressions through the SDK against the real `outreach start` (API + worker). */
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
});

describe('SDK: contacts, imports, suppressions', () => {
  it('imports a CSV (string and Blob), adds JSON contacts, lists with for await, reads the changes feed', async () => {
    const campaign = await client.campaigns.create({ name: 'SDK contacts' });
    const counts = await client.contacts.import(
      campaign.id,
      'email,firstName,lastName,company,title\nsarah@acme.com,Sarah,Chen,Acme Corp,VP Sales\nmike@bigco.io,Mike,Johnson,BigCo,CTO\n',
      { idempotencyKey: 'import-batch-001' },
    );
    expect(counts).toMatchObject({ imported: 2, parsed: 2, valid: 2, invalid: 0, upserted: 2 });
    const fromBlob = await client.contacts.import(
      campaign.id,
      new Blob(['Email;Org\nann@blob.io;Blob Inc\n']),
    );
    expect(fromBlob).toMatchObject({ imported: 1, created: 1 });
    const added = await client.contacts.add(
      campaign.id,
      Array.from({ length: 120 }, (_, i) => ({ email: `json${i}@sdk.io` })),
    );
    expect(added).toMatchObject({ imported: 120, invalid: 0 });

    const emails: string[] = [];
    for await (const c of client.contacts.list(campaign.id, { limit: 50 })) emails.push(c.email);
    expect(emails).toHaveLength(123);
    expect(emails.slice(0, 3)).toEqual(['sarah@acme.com', 'mike@bigco.io', 'ann@blob.io']);
    const first = await client.contacts.list(campaign.id, { limit: 2 });
    expect(first.items[0]).toMatchObject({
      name: 'Sarah Chen',
      customJson: { company: 'Acme Corp', title: 'VP Sales' },
    });

    const sarah = first.items[0]!;
    const updated = await client.contacts.update(campaign.id, sarah.id, {
      status: 'active',
      customJson: { tier: 'gold' },
    });
    expect(updated).toMatchObject({
      status: 'active',
      customJson: { company: 'Acme Corp', title: 'VP Sales', tier: 'gold' },
    });
    expect(await client.contacts.get(campaign.id, sarah.id)).toEqual(updated);

    const changes = [];
    for await (const ch of client.contacts.changes(campaign.id, { updatedSince: new Date(0), limit: 40 }))
      changes.push(ch);
    expect(changes).toHaveLength(124);
    expect(changes.at(-1)).toMatchObject({
      contactId: sarah.id,
      previousStatus: 'pending',
      status: 'active',
    });

    await client.contacts.delete(campaign.id, first.items[1]!.id);
    await expect(client.contacts.get(campaign.id, first.items[1]!.id)).rejects.toBeInstanceOf(APIError);
    await expect(
      client.contacts.add(campaign.id, [{ email: 'x@y.io', customJson: { a: 1 } }, {} as never]),
    ).rejects.toBeInstanceOf(UnprocessableEntityError);
  });

  it('runs a large import: create → preview → confirm → waitUntilDone (the CLI worker imports it)', async () => {
    const campaign = await client.campaigns.create({ name: 'SDK import' });
    const rows = Array.from({ length: 20_000 }, (_, i) => `lead${i}@big.io,Lead,${i},Org ${i % 10},Role`);
    const csv = `email,first_name,last,org,role\n${rows.join('\n')}\nnot-an-email,x,y,z,w\n`;
    const created = await client.imports.create(campaign.id, csv, { idempotencyKey: 'import-large-001' });
    expect(created).toMatchObject({ status: 'pending_mapping', campaignId: campaign.id });
    await expect(client.imports.waitUntilDone(created.importId, { intervalMs: 50 })).rejects.toThrow(
      /confirmMapping/,
    );
    const preview = await client.imports.mappingPreview(created.importId);
    expect(preview.suggestedMapping).toEqual({
      email: 'email',
      first_name: 'firstName',
      last: 'lastName',
      org: 'company',
      role: 'title',
    });
    const queued = await client.imports.confirmMapping(created.importId, preview.suggestedMapping);
    expect(queued.status).toBe('queued');
    const seen: string[] = [];
    const done = await client.imports.waitUntilDone(created.importId, {
      intervalMs: 100,
      timeoutMs: 60_000,
      onProgress: (s) => seen.push(s.status),
    });
    expect(done).toMatchObject({
      status: 'completed',
      totalRows: 20_001,
      imported: 20_000,
      invalid: 1,
      progress: 1,
    });
    expect(done.errors).toEqual([{ row: 20_002, email: 'not-an-email', reason: 'invalid email' }]);
    expect(seen.at(-1)).toBe('completed');
    const page = await client.contacts.list(campaign.id, { limit: 1 });
    expect(page.items[0]).toMatchObject({
      email: 'lead0@big.io',
      customJson: { company: 'Org 0', title: 'Role' },
    });
  }, 90_000);

  it('suppresses addresses and domains, reads status, lists and deletes', async () => {
    const campaign = await client.campaigns.create({ name: 'SDK suppressions' });
    await client.contacts.add(campaign.id, [
      { email: 'stop@me.io' },
      { email: 'a@spam.io' },
      { email: 'go@me.io' },
    ]);
    const res = await client.suppressions.add({
      emails: ['stop@me.io'],
      domains: ['spam.io'],
      reason: 'manual_suppression',
    });
    expect(res).toMatchObject({ added: 2, alreadySuppressed: 0 });
    const statuses: Record<string, string> = {};
    for await (const c of client.contacts.list(campaign.id)) statuses[c.email] = c.status;
    expect(statuses).toEqual({
      'stop@me.io': 'suppressed',
      'a@spam.io': 'suppressed',
      'go@me.io': 'pending',
    });
    expect(await client.suppressions.status('b@spam.io')).toMatchObject({
      suppressed: true,
      source: 'domain',
    });
    const all = [];
    for await (const s of client.suppressions.list({ limit: 1 })) all.push(s.email ?? s.domain);
    expect(all).toEqual(expect.arrayContaining(['stop@me.io', 'spam.io']));
    await client.suppressions.delete({ domain: 'spam.io' });
    expect((await client.suppressions.status('b@spam.io')).suppressed).toBe(false);
  });
});
