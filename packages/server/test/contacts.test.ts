import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type Res, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const SEED_CSV =
  'email,firstName,lastName,company,title\nsarah@acme.com,Sarah,Chen,Acme Corp,VP Sales\nmike@bigco.io,Mike,Johnson,BigCo,CTO\n';

function form(content: string | Uint8Array, name = 'leads.csv', type = 'text/csv'): FormData {
  const fd = new FormData();
  fd.append('file', new Blob([content], { type }), name);
  return fd;
}

async function campaign(caller = t.a, name = 'Contacts test'): Promise<string> {
  const res = await caller.req('POST', '/campaigns', { body: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

function importCsv(
  id: string,
  content: string | Uint8Array,
  opts: { caller?: typeof t.a; headers?: Record<string, string> } = {},
): Promise<Res> {
  return (opts.caller ?? t.a).req('POST', `/campaigns/${id}/contacts/import`, {
    raw: form(content),
    headers: opts.headers,
  });
}

async function allContacts(id: string, query: Record<string, string> = {}): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await t.a.req('GET', `/campaigns/${id}/contacts`, {
      query: { limit: 200, cursor, ...query },
    });
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

function expectBalanced(body: any) {
  expect(body.parsed).toBe(body.valid + body.invalid);
  expect(body.imported).toBe(body.valid);
}

describe('sync CSV import', () => {
  it('imports the seed file and lists the seed item shape', async () => {
    const id = await campaign();
    const res = await importCsv(id, SEED_CSV, { headers: { 'idempotency-key': 'import-batch-001' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 2, parsed: 2, valid: 2, invalid: 0, upserted: 2 });
    const list = await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 50 } });
    expect(list.status).toBe(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.items).toHaveLength(2);
    const sarah = list.body.items.find((c: any) => c.email === 'sarah@acme.com');
    expect(sarah).toMatchObject({
      campaignId: id,
      email: 'sarah@acme.com',
      name: 'Sarah Chen',
      status: 'pending',
      customJson: { company: 'Acme Corp', title: 'VP Sales' },
      firstName: 'Sarah',
      lastName: 'Chen',
      currentStep: 0,
      lastSentAt: null,
    });
    expect(sarah.id).toMatch(/^cnt_[0-9a-z]{26}$/);
    expect(sarah.createdAt).toMatch(/Z$/);
  });

  it('replays the same upload with the same Idempotency-Key, 409 with another file', async () => {
    const id = await campaign();
    const headers = { 'idempotency-key': 'imp-same' };
    const first = await importCsv(id, SEED_CSV, { headers });
    const again = await importCsv(id, SEED_CSV, { headers });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expectProblem(await importCsv(id, `${SEED_CSV}x@y.io,,,,\n`, { headers }), 409, 'idempotency_conflict');
  });

  it('recognises header spellings, `;` with BOM and CRLF, quoted commas and newlines; other columns go to customJson', async () => {
    const id = await campaign();
    const csv =
      '\uFEFFE-mail;First Name;LAST;Org;Role;Region;Notes\r\n' +
      'Anna@Example.com;Anna;Berg;"Berg; Sons";CEO;EU;"line one\r\nline two, with comma"\r\n' +
      '\r\n' +
      'bob@example.org;Bob;;;;US;"say ""hi"""\r\n';
    const res = await importCsv(id, csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ parsed: 2, valid: 2, invalid: 0, imported: 2, upserted: 2, created: 2 });
    const items = await allContacts(id);
    const anna = items.find((c) => c.email === 'anna@example.com');
    expect(anna).toMatchObject({
      firstName: 'Anna',
      lastName: 'Berg',
      name: 'Anna Berg',
      customJson: {
        company: 'Berg; Sons',
        title: 'CEO',
        Region: 'EU',
        Notes: 'line one\nline two, with comma',
      },
    });
    const bob = items.find((c) => c.email === 'bob@example.org');
    expect(bob).toMatchObject({
      name: 'Bob',
      lastName: null,
      customJson: { Region: 'US', Notes: 'say "hi"' },
    });
  });

  it('reads tab-separated files and `firstname`/`company`/`title` variants', async () => {
    const id = await campaign();
    const res = await importCsv(
      id,
      'EMAIL\tfirstname\tlast_name\tCompany Name\tJob Title\nx@tab.io\tXi\tTab\tTabCo\tCFO\n',
    );
    expect(res.body).toMatchObject({ parsed: 1, valid: 1 });
    const [x] = await allContacts(id);
    expect(x).toMatchObject({
      email: 'x@tab.io',
      firstName: 'Xi',
      lastName: 'Tab',
      customJson: { company: 'TabCo', title: 'CFO' },
    });
  });

  it('upserts on (campaign, lower-cased email): duplicates in the file and across imports update one contact', async () => {
    const id = await campaign();
    const csv =
      'email,first_name,company\nDup@Example.com,First,One\ndup@example.com,,Two\nDUP@EXAMPLE.COM,Third,\n';
    const res = await importCsv(id, csv);
    expect(res.body).toMatchObject({
      parsed: 3,
      valid: 3,
      invalid: 0,
      imported: 1,
      duplicates: 2,
      upserted: 1,
      created: 1,
    });
    let items = await allContacts(id);
    expect(items).toHaveLength(1);
    // Later rows win where they have a value; empty cells keep what was there.
    expect(items[0]).toMatchObject({
      email: 'dup@example.com',
      firstName: 'Third',
      customJson: { company: 'Two' },
    });
    const again = await importCsv(id, 'email,title\ndup@example.com,Boss\nnew@example.com,New\n');
    expect(again.body).toMatchObject({ parsed: 2, imported: 2, upserted: 2, created: 1 });
    items = await allContacts(id);
    expect(items).toHaveLength(2);
    expect(items.find((c) => c.email === 'dup@example.com').customJson).toEqual({
      company: 'Two',
      title: 'Boss',
    });
    // Another campaign of the same workspace keeps its own copy.
    const other = await campaign();
    expect((await importCsv(other, 'email\ndup@example.com\n')).body).toMatchObject({ created: 1 });
  });

  it('counts invalid emails (never stored) and reports them; parsed = valid + invalid', async () => {
    const id = await campaign();
    const bad = ['a@', '@b.c', 'a b@c.d', 'a.@b.co', 'a@b.co.', 'a@@b.co', 'plain', ''];
    const csv = `email,name\n${bad.map((e, i) => `${e.includes(' ') ? `"${e}"` : e},n${i}`).join('\n')}\nok@good.io,ok\n`;
    const res = await importCsv(id, csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ parsed: 9, valid: 1, invalid: 8, imported: 1, upserted: 1 });
    expectBalanced(res.body);
    expect(res.body.errors).toHaveLength(8);
    expect(res.body.errors[0]).toEqual({ row: 2, email: 'a@', reason: 'invalid email' });
    expect(res.body.errors.find((e: any) => e.row === 9)).toEqual({
      row: 9,
      email: '',
      reason: 'missing email',
    });
    const items = await allContacts(id);
    expect(items.map((c) => c.email)).toEqual(['ok@good.io']);
  });

  it('header only → zero counts; empty file, binary garbage, no email column → 422 naming the file', async () => {
    const id = await campaign();
    const header = await importCsv(id, 'email,firstName\n');
    expect(header.status).toBe(200);
    expect(header.body).toMatchObject({ imported: 0, parsed: 0, valid: 0, invalid: 0, upserted: 0 });
    const empty = await importCsv(id, '');
    expectProblem(empty, 422, 'validation_failed', 'file');
    expect(empty.body.csvError).toBe('empty_file');
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const bin = await importCsv(id, garbage);
    expectProblem(bin, 422, 'validation_failed', 'file');
    expect(bin.body.csvError).toBe('binary_file');
    expectProblem(await importCsv(id, 'name,company\nAnn,Acme\n'), 422, 'validation_failed', 'file.columns');
    expect(await allContacts(id)).toHaveLength(0);
  });

  it('a row over 1 MiB → 422 line_too_long, nothing stored', async () => {
    const id = await campaign();
    const csv = `email,notes\nfirst@ok.io,short\nlong@ok.io,${'x'.repeat(1_200_000)}\n`;
    const res = await importCsv(id, csv);
    expectProblem(res, 422, 'validation_failed', 'file');
    expect(res.body.csvError).toBe('line_too_long');
    expect(await allContacts(id)).toHaveLength(0);
  });

  it('a 50 MB line → 413 pointing to POST /imports (read no further than 5 MB)', async () => {
    const id = await campaign();
    const line = new Uint8Array(50 * 1024 * 1024 + 20).fill(120);
    line.set(Buffer.from('email,notes\na@b.io,'), 0);
    const res = await importCsv(id, line);
    expectProblem(res, 413, 'payload_too_large');
    expect(res.body.detail).toContain('POST /imports');
    expect(await allContacts(id)).toHaveLength(0);
  });

  it('over 10,000 rows or 5 MB → 413 pointing to POST /imports; 10,000 rows are fine', async () => {
    const id = await campaign();
    const rows = (n: number) =>
      `email,first_name\n${Array.from({ length: n }, (_, i) => `u${i}@big.io,U${i}`).join('\n')}\n`;
    const many = await importCsv(id, rows(10_001));
    expectProblem(many, 413, 'payload_too_large');
    expect(many.body.detail).toContain('POST /imports');
    const huge = await importCsv(id, `email,notes\n${'a@b.io,'.padEnd(1000, 'x')}\n`.repeat(5300));
    expectProblem(huge, 413, 'payload_too_large');
    expect(huge.body.detail).toContain('POST /imports');
    const ok = await importCsv(id, rows(10_000));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      parsed: 10_000,
      valid: 10_000,
      imported: 10_000,
      upserted: 10_000,
      created: 10_000,
    });
    expect(await allContacts(id)).toHaveLength(10_000);
  });

  it('wrong content type → 415; no file part → 422; campaign of another workspace → 404; 401; 403', async () => {
    const id = await campaign();
    const json = await t.a.req('POST', `/campaigns/${id}/contacts/import`, { body: { file: SEED_CSV } });
    expectProblem(json, 415, 'unsupported_media_type');
    const text = await t.a.req('POST', `/campaigns/${id}/contacts/import`, {
      raw: SEED_CSV,
      headers: { 'content-type': 'text/csv' },
    });
    expectProblem(text, 415, 'unsupported_media_type');
    const noFile = new FormData();
    noFile.append('other', 'x');
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/contacts/import`, { raw: noFile }),
      422,
      'validation_failed',
      'file',
    );
    expectProblem(await importCsv(id, SEED_CSV, { caller: t.b }), 404, 'not_found');
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/contacts/import`, { raw: form(SEED_CSV), key: null }),
      401,
      'unauthorized',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/contacts/import`, {
        raw: form(SEED_CSV),
        query: { workspaceId: t.b.workspaceId },
      }),
      403,
      'forbidden',
    );
    expect(await allContacts(id)).toHaveLength(0);
  });
});

describe('JSON add', () => {
  it('adds contacts with the same counts; invalid emails counted; > 1,000 → 422', async () => {
    const id = await campaign();
    const res = await t.a.req('POST', `/campaigns/${id}/contacts`, {
      body: {
        contacts: [
          { email: 'Json@Example.com', firstName: 'Jay', company: 'JCo', customJson: { plan: 'pro' } },
          { email: 'json@example.com', lastName: 'Son' },
          { email: 'nope@' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      parsed: 3,
      valid: 2,
      invalid: 1,
      imported: 1,
      duplicates: 1,
      upserted: 1,
      created: 1,
    });
    expect(res.body.errors).toEqual([{ row: 2, email: 'nope@', reason: 'invalid email' }]);
    const [c] = await allContacts(id);
    expect(c).toMatchObject({
      email: 'json@example.com',
      name: 'Jay Son',
      customJson: { company: 'JCo', plan: 'pro' },
    });
    const tooMany = await t.a.req('POST', `/campaigns/${id}/contacts`, {
      body: { contacts: Array.from({ length: 1001 }, (_, i) => ({ email: `x${i}@y.io` })) },
    });
    expectProblem(tooMany, 422, 'validation_failed', 'contacts');
    expectProblem(
      await t.a.req('POST', `/campaigns/${id}/contacts`, { body: { contacts: [{}] } }),
      422,
      'validation_failed',
      'contacts.0.email',
    );
    expectProblem(
      await t.b.req('POST', `/campaigns/${id}/contacts`, { body: { contacts: [{ email: 'a@b.io' }] } }),
      404,
      'not_found',
    );
  });
});

describe('contacts', () => {
  it('pages by cursor with no gap or repeat while contacts are added, filters by status', async () => {
    const id = await campaign();
    await importCsv(
      id,
      `email\n${Array.from({ length: 45 }, (_, i) => `p${String(i).padStart(2, '0')}@page.io`).join('\n')}\n`,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = 0;
    do {
      const res = await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 7, cursor } });
      seen.push(...res.body.items.map((c: any) => c.email));
      cursor = res.body.next_cursor ?? undefined;
      await t.a.req('POST', `/campaigns/${id}/contacts`, {
        body: { contacts: [{ email: `late${added++}@page.io` }] },
      });
    } while (cursor);
    expect(seen.filter((e) => e.startsWith('p'))).toHaveLength(45);
    expect(new Set(seen).size).toBe(seen.length);
    const first = (await allContacts(id))[0];
    await t.a.req('PATCH', `/campaigns/${id}/contacts/${first.id}`, { body: { status: 'active' } });
    const active = await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { status: 'active' } });
    expect(active.body.items.map((c: any) => c.id)).toEqual([first.id]);
    expectProblem(
      await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { status: 'nope' } }),
      422,
      'validation_failed',
      'status',
    );
    expectProblem(
      await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { cursor: 'forged' } }),
      422,
      'validation_failed',
      'cursor',
    );
  });

  it('gets, patches (fields, custom fields, email) and deletes; isolation between workspaces', async () => {
    const id = await campaign();
    await importCsv(id, SEED_CSV);
    const [sarah, mike] = await allContacts(id);
    const got = await t.a.req('GET', `/campaigns/${id}/contacts/${sarah.id}`);
    expect(got.body).toEqual(sarah);
    const patched = await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, {
      body: { firstName: 'Sara', title: null, customJson: { linkedin: 'in/sara', company: 'Acme Inc' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Sara Chen',
      customJson: { company: 'Acme Inc', linkedin: 'in/sara' },
    });
    expect(patched.body.customJson.title).toBeUndefined();
    const cleared = await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, {
      body: { customJson: { linkedin: null } },
    });
    expect(cleared.body.customJson).toEqual({ company: 'Acme Inc' });
    const moved = await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, {
      body: { email: 'Sara@Acme.com' },
    });
    expect(moved.body.email).toBe('sara@acme.com');
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, { body: { email: 'mike@bigco.io' } }),
      409,
      'conflict',
      'email',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, { body: { email: 'a@' } }),
      422,
      'validation_failed',
      'email',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, { body: { status: 'sleeping' } }),
      422,
      'validation_failed',
      'status',
    );
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { firstName: 'x' }],
      ['DELETE', undefined],
    ] as const) {
      expectProblem(
        await t.b.req(method, `/campaigns/${id}/contacts/${mike.id}`, { body }),
        404,
        'not_found',
      );
    }
    expectProblem(await t.b.req('GET', `/campaigns/${id}/contacts`), 404, 'not_found');
    expectProblem(
      await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(await t.a.req('GET', `/campaigns/${id}/contacts`, { key: null }), 401, 'unauthorized');
    expect((await t.a.req('DELETE', `/campaigns/${id}/contacts/${mike.id}`)).status).toBe(204);
    expectProblem(await t.a.req('GET', `/campaigns/${id}/contacts/${mike.id}`), 404, 'not_found');
    expect((await allContacts(id)).map((c) => c.email)).toEqual(['sara@acme.com']);
  });
});

describe('contact changes', () => {
  it('new contacts are changes from null, then each status change, oldest first, cursor-paged', async () => {
    const id = await campaign();
    await importCsv(id, SEED_CSV);
    const [sarah] = await allContacts(id);
    await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, { body: { status: 'active' } });
    await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, { body: { status: 'replied' } });
    // No status change: no event.
    await t.a.req('PATCH', `/campaigns/${id}/contacts/${sarah.id}`, {
      body: { status: 'replied', firstName: 'S' },
    });
    const res = await t.a.req('GET', `/campaigns/${id}/contacts/changes`, {
      query: { updatedSince: '2000-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(200);
    expect(res.body.updated_since).toBe('2000-01-01T00:00:00.000Z');
    expect(res.body.next_cursor).toBeNull();
    const changes = res.body.items.map((c: any) => [c.email, c.previousStatus, c.status]);
    expect(changes).toEqual([
      ['sarah@acme.com', null, 'pending'],
      ['mike@bigco.io', null, 'pending'],
      ['sarah@acme.com', 'pending', 'active'],
      ['sarah@acme.com', 'active', 'replied'],
    ]);
    expect(res.body.items[3]).toMatchObject({ contactId: sarah.id, updatedAt: expect.stringMatching(/Z$/) });
    // Page by 1: the same sequence.
    const paged: any[] = [];
    let cursor: string | undefined;
    do {
      const p = await t.a.req('GET', `/campaigns/${id}/contacts/changes`, { query: { limit: 1, cursor } });
      paged.push(...p.body.items);
      cursor = p.body.next_cursor ?? undefined;
    } while (cursor);
    expect(paged.map((c) => [c.email, c.previousStatus, c.status])).toEqual(changes);
    // updatedSince after everything: nothing.
    const later = await t.a.req('GET', `/campaigns/${id}/contacts/changes`, {
      query: { updatedSince: '2999-01-01T00:00:00+02:00' },
    });
    expect(later.body.items).toEqual([]);
    expectProblem(
      await t.a.req('GET', `/campaigns/${id}/contacts/changes`, { query: { updatedSince: 'yesterday' } }),
      422,
      'validation_failed',
      'updatedSince',
    );
    expectProblem(await t.b.req('GET', `/campaigns/${id}/contacts/changes`), 404, 'not_found');
  });
});

describe('suppressed addresses on import', () => {
  it('stores a suppressed address (or domain) as suppressed', async () => {
    const id = await campaign();
    await t.a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['blocked@acme.com'], domains: ['banned.io'], reason: 'manual_suppression' },
    });
    const res = await importCsv(id, 'email\nBlocked@acme.com\nanyone@banned.io\nfree@acme.com\n');
    expect(res.body).toMatchObject({ imported: 3, valid: 3 });
    const byEmail = Object.fromEntries((await allContacts(id)).map((c) => [c.email, c.status]));
    expect(byEmail).toEqual({
      'blocked@acme.com': 'suppressed',
      'anyone@banned.io': 'suppressed',
      'free@acme.com': 'pending',
    });
    const changes = await t.a.req('GET', `/campaigns/${id}/contacts/changes`);
    expect(changes.body.items.find((c: any) => c.email === 'blocked@acme.com')).toMatchObject({
      previousStatus: null,
      status: 'suppressed',
    });
    // Another workspace's suppressions do not apply.
    const theirs = await campaign(t.b);
    await t.b.req('POST', `/campaigns/${theirs}/contacts/import`, { raw: form('email\nblocked@acme.com\n') });
    const list = await t.b.req('GET', `/campaigns/${theirs}/contacts`);
    expect(list.body.items[0].status).toBe('pending');
  });
});
