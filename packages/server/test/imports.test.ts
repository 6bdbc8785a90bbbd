import { type Deps, openDb } from '@outreach/shared';
import { importsLoop } from '@outreach/worker/loops/imports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type Res, type TestApp } from './support';

let t: TestApp;
/** The worker's deps: its own libSQL client on the same file, as on another machine sharing the database. */
let worker: Deps;
beforeAll(async () => {
  t = await makeTestApp();
  worker = { ...t.deps, db: openDb(t.deps.config.databaseUrl) };
});
afterAll(() => {
  worker.db.close();
  t.close();
});

const SEED_LARGE =
  'email,first_name,last,org,role\nsarah@acme.com,Sarah,Chen,Acme,VP\nmike@bigco.io,Mike,Johnson,BigCo,CTO\n';
const SEED_MAPPING = {
  email: 'email',
  first_name: 'firstName',
  last: 'lastName',
  org: 'company',
  role: 'title',
};

async function campaign(caller = t.a): Promise<string> {
  return (await caller.req('POST', '/campaigns', { body: { name: 'Imports test' } })).body.id;
}

function upload(
  campaignId: string | null,
  content: string | Uint8Array,
  opts: { caller?: typeof t.a; headers?: Record<string, string> } = {},
): Promise<Res> {
  const fd = new FormData();
  if (campaignId !== null) fd.append('campaignId', campaignId);
  fd.append('file', new Blob([content], { type: 'text/csv' }), 'large_leads.csv');
  return (opts.caller ?? t.a).req('POST', '/imports', { raw: fd, headers: opts.headers });
}

async function runWorker(): Promise<void> {
  await importsLoop.tick(worker, { workerId: 'test', stopping: () => false });
}

async function chunkCount(importId: string): Promise<number> {
  const r = await t.deps.db.client.execute({
    sql: 'SELECT count(*) AS n FROM import_chunks WHERE import_id = ?',
    args: [importId],
  });
  return Number(r.rows[0]!.n);
}

async function contacts(campaignId: string): Promise<any[]> {
  const r = await t.deps.db.client.execute({
    sql: 'SELECT * FROM contacts WHERE campaign_id = ? ORDER BY id',
    args: [campaignId],
  });
  return r.rows as any[];
}

describe('large imports', () => {
  it('follows the seed: upload → pending_mapping → preview → confirm → queued → worker → completed', async () => {
    const id = await campaign();
    const created = await upload(id, SEED_LARGE, { headers: { 'idempotency-key': 'import-large-001' } });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      importId: expect.stringMatching(/^imp_[0-9a-z]{26}$/),
      status: 'pending_mapping',
      campaignId: id,
    });
    const importId = created.body.importId;
    const replay = await upload(id, SEED_LARGE, { headers: { 'idempotency-key': 'import-large-001' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.importId).toBe(importId);

    const preview = await t.a.req('GET', `/imports/${importId}/mapping-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      columns: ['email', 'first_name', 'last', 'org', 'role'],
      suggestedMapping: SEED_MAPPING,
      sampleRows: [
        { email: 'sarah@acme.com', first_name: 'Sarah', last: 'Chen', org: 'Acme', role: 'VP' },
        { email: 'mike@bigco.io', first_name: 'Mike', last: 'Johnson', org: 'BigCo', role: 'CTO' },
      ],
    });
    const pending = await t.a.req('GET', `/imports/${importId}/status`);
    expect(pending.body).toMatchObject({ importId, status: 'pending_mapping', progress: 0, totalRows: 0 });

    const confirm = await t.a.req('POST', `/imports/${importId}/mapping-confirm`, {
      body: { mapping: SEED_MAPPING },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toEqual({ importId, status: 'queued' });
    expect((await t.a.req('GET', `/imports/${importId}/status`)).body.status).toBe('queued');

    await runWorker();
    const done = await t.a.req('GET', `/imports/${importId}/status`);
    expect(done.body).toEqual({
      importId,
      status: 'completed',
      totalRows: 2,
      imported: 2,
      duplicates: 0,
      invalid: 0,
      errors: [],
      progress: 1,
      error: null,
    });
    const list = await t.a.req('GET', `/campaigns/${id}/contacts`);
    expect(list.body.items.map((c: any) => [c.email, c.name, c.customJson])).toEqual([
      ['sarah@acme.com', 'Sarah Chen', { company: 'Acme', title: 'VP' }],
      ['mike@bigco.io', 'Mike Johnson', { company: 'BigCo', title: 'CTO' }],
    ]);
    // The stored file is gone once imported.
    expect(await chunkCount(importId)).toBe(0);
  });

  it('streams a multi-blob file through the worker: every valid row stored, invalid ones counted, first 100 errors', async () => {
    const id = await campaign();
    const n = 30_000;
    const lines = ['Email Address;Given Name;Surname;Company;Title;Plan;Seats;Region'];
    for (let i = 0; i < n; i++) {
      const email = i % 100 === 7 ? `broken${i}@` : `User${i}@Example${i % 50}.com`;
      lines.push(
        `${email};First${i};Last${i};"Co; ${i % 97}";Role${i % 5};plan${i % 3};${i % 40};"r\n${i % 7}"`,
      );
    }
    const csv = `${lines.join('\r\n')}\r\n`;
    expect(csv.length).toBeGreaterThan(2 * 1024 * 1024);
    const created = await upload(id, csv);
    expect(created.status).toBe(202);
    const importId = created.body.importId;
    expect(await chunkCount(importId)).toBeGreaterThanOrEqual(2);
    const preview = await t.a.req('GET', `/imports/${importId}/mapping-preview`);
    expect(preview.body.suggestedMapping).toEqual({
      'Email Address': 'email',
      'Given Name': 'firstName',
      Surname: 'lastName',
      Company: 'company',
      Title: 'title',
      Plan: null,
      Seats: null,
      Region: null,
    });
    expect(preview.body.sampleRows).toHaveLength(5);
    expect(preview.body.sampleRows[0].Region).toBe('r\n0');
    const mapping = { ...preview.body.suggestedMapping, Plan: 'plan', Seats: 'seats', Region: 'region' };
    expect(
      (await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping } })).status,
    ).toBe(200);
    await runWorker();
    const status = (await t.a.req('GET', `/imports/${importId}/status`)).body;
    const invalid = n / 100;
    expect(status).toMatchObject({
      status: 'completed',
      totalRows: n,
      imported: n - invalid,
      invalid,
      progress: 1,
    });
    expect(status.errors).toHaveLength(100);
    expect(status.errors[0]).toEqual({ row: 9, email: 'broken7@', reason: 'invalid email' });
    const rows = await contacts(id);
    expect(rows).toHaveLength(n - invalid);
    const c = rows.find((r) => r.email === 'user12345@example45.com');
    expect(c).toMatchObject({ first_name: 'First12345', last_name: 'Last12345', status: 'pending' });
    expect(JSON.parse(c.custom_json)).toEqual({
      company: 'Co; 26',
      title: 'Role0',
      plan: 'plan0',
      seats: '25',
      region: 'r\n4',
    });
  });

  it('a mapping to an unknown field makes a custom field; null or absent drops the column', async () => {
    const id = await campaign();
    const importId = (await upload(id, 'e,org,nick,junk\nann@x.io,Acme,Annie,zzz\n')).body.importId;
    const confirm = await t.a.req('POST', `/imports/${importId}/mapping-confirm`, {
      body: { mapping: { e: 'email', org: 'company', nick: 'nickname', junk: null } },
    });
    expect(confirm.status).toBe(200);
    await runWorker();
    const [c] = await contacts(id);
    expect(JSON.parse(c.custom_json)).toEqual({ company: 'Acme', nickname: 'Annie' });
  });

  it('422 for a mapping naming a column the file lacks, or with no email; confirm twice → 409', async () => {
    const id = await campaign();
    const importId = (await upload(id, SEED_LARGE)).body.importId;
    expectProblem(
      await t.a.req('POST', `/imports/${importId}/mapping-confirm`, {
        body: { mapping: { ...SEED_MAPPING, nope: 'title' } },
      }),
      422,
      'validation_failed',
      'mapping.nope',
    );
    expectProblem(
      await t.a.req('POST', `/imports/${importId}/mapping-confirm`, {
        body: { mapping: { org: 'company' } },
      }),
      422,
      'validation_failed',
      'mapping',
    );
    expectProblem(
      await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: 'email' } }),
      422,
      'validation_failed',
      'mapping',
    );
    expect((await t.a.req('GET', `/imports/${importId}/status`)).body.status).toBe('pending_mapping');
    expect(
      (await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: SEED_MAPPING } }))
        .status,
    ).toBe(200);
    const twice = await t.a.req('POST', `/imports/${importId}/mapping-confirm`, {
      body: { mapping: SEED_MAPPING },
    });
    expectProblem(twice, 409, 'invalid_transition');
    expect(twice.body.currentStatus).toBe('queued');
    const jobs = await t.deps.db.client.execute({
      sql: "SELECT count(*) AS n FROM jobs WHERE kind = 'import' AND ref_id = ?",
      args: [importId],
    });
    expect(Number(jobs.rows[0]!.n)).toBe(1);
    await runWorker();
    expectProblem(
      await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: SEED_MAPPING } }),
      409,
      'invalid_transition',
    );
  });

  it('two concurrent confirms: one wins, one 409, one job', async () => {
    const id = await campaign();
    const importId = (await upload(id, SEED_LARGE)).body.importId;
    const both = await Promise.all([
      t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: SEED_MAPPING } }),
      t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: SEED_MAPPING } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const jobs = await t.deps.db.client.execute({
      sql: "SELECT count(*) AS n FROM jobs WHERE kind = 'import' AND ref_id = ?",
      args: [importId],
    });
    expect(Number(jobs.rows[0]!.n)).toBe(1);
    await runWorker();
  });

  it('bad files: empty, binary → 422 at upload; header only completes with 0 rows; no email column cannot be confirmed', async () => {
    const id = await campaign();
    const empty = await upload(id, '');
    expectProblem(empty, 422, 'validation_failed', 'file');
    expect(empty.body.csvError).toBe('empty_file');
    const garbage = new Uint8Array(200_000).map((_, i) => (i * 2654435761) % 256);
    const bin = await upload(id, garbage);
    expectProblem(bin, 422, 'validation_failed', 'file');
    expect(bin.body.csvError).toBe('binary_file');
    const left = await t.deps.db.client.execute(
      'SELECT count(*) AS n FROM import_chunks c WHERE NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = c.import_id)',
    );
    expect(Number(left.rows[0]!.n)).toBe(0);

    const headerOnly = (await upload(id, 'email,name\n')).body.importId;
    expect((await t.a.req('GET', `/imports/${headerOnly}/mapping-preview`)).body).toMatchObject({
      columns: ['email', 'name'],
      sampleRows: [],
    });
    await t.a.req('POST', `/imports/${headerOnly}/mapping-confirm`, {
      body: { mapping: { email: 'email' } },
    });
    await runWorker();
    expect((await t.a.req('GET', `/imports/${headerOnly}/status`)).body).toMatchObject({
      status: 'completed',
      totalRows: 0,
      imported: 0,
      invalid: 0,
    });

    const noEmail = (await upload(id, 'name,company\nAnn,Acme\n')).body.importId;
    const preview = await t.a.req('GET', `/imports/${noEmail}/mapping-preview`);
    expect(preview.body.suggestedMapping).toEqual({ name: null, company: 'company' });
    expectProblem(
      await t.a.req('POST', `/imports/${noEmail}/mapping-confirm`, {
        body: { mapping: preview.body.suggestedMapping },
      }),
      422,
      'validation_failed',
      'mapping',
    );
  });

  it('a 50 MB line: refused at upload when it is in the first rows; later, the import fails and says why', async () => {
    const id = await campaign();
    const early = await upload(id, `email,notes\nlong@fine.io,${'x'.repeat(2 * 1024 * 1024)}\n`);
    expectProblem(early, 422, 'validation_failed', 'file');
    expect(early.body.csvError).toBe('line_too_long');
    const head = `email,notes\n${Array.from({ length: 20_000 }, (_, i) => `ok${i}@fine.io,n`).join('\n')}\n`;
    const big = new Uint8Array(Buffer.byteLength(head) + 50 * 1024 * 1024 + 20);
    const at = big.byteLength - 50 * 1024 * 1024 - 20;
    big.set(Buffer.from(head), 0);
    big.set(Buffer.from('long@fine.io,'), at);
    big.fill(120, at + 13);
    const created = await upload(id, big);
    expect(created.status).toBe(202);
    const importId = created.body.importId;
    expect(await chunkCount(importId)).toBeGreaterThanOrEqual(50);
    await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: { email: 'email' } } });
    await runWorker();
    const status = (await t.a.req('GET', `/imports/${importId}/status`)).body;
    expect(status.status).toBe('failed');
    expect(status.error).toMatch(/line_too_long/);
    expect(status.error).toMatch(/row 20002/);
    expect(status.totalRows).toBe(20_000);
    expect((await contacts(id)).length).toBe(20_000);
    expect(await chunkCount(importId)).toBe(0);
    const job = await t.deps.db.client.execute({
      sql: "SELECT state, error FROM jobs WHERE kind = 'import' AND ref_id = ?",
      args: [importId],
    });
    expect(job.rows[0]).toMatchObject({ state: 'failed' });
  }, 60_000);

  it('wrong content type → 415; missing campaignId or file → 422; another workspace → 404, its upload not kept', async () => {
    const id = await campaign();
    expectProblem(
      await t.a.req('POST', '/imports', { body: { campaignId: id } }),
      415,
      'unsupported_media_type',
    );
    expectProblem(await upload(null, SEED_LARGE), 422, 'validation_failed', 'campaignId');
    const noFile = new FormData();
    noFile.append('campaignId', id);
    expectProblem(await t.a.req('POST', '/imports', { raw: noFile }), 422, 'validation_failed', 'file');
    const before = await t.deps.db.client.execute('SELECT count(*) AS n FROM import_chunks');
    expectProblem(await upload(id, SEED_LARGE, { caller: t.b }), 404, 'not_found');
    expectProblem(await upload('cmp_nope', SEED_LARGE), 404, 'not_found');
    const after = await t.deps.db.client.execute('SELECT count(*) AS n FROM import_chunks');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);

    const importId = (await upload(id, SEED_LARGE)).body.importId;
    expectProblem(await t.b.req('GET', `/imports/${importId}/mapping-preview`), 404, 'not_found');
    expectProblem(await t.b.req('GET', `/imports/${importId}/status`), 404, 'not_found');
    expectProblem(
      await t.b.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping: SEED_MAPPING } }),
      404,
      'not_found',
    );
    expectProblem(await t.a.req('GET', `/imports/${importId}/status`, { key: null }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('GET', `/imports/${importId}/status`, { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(await t.a.req('GET', '/imports/imp_missing/status'), 404, 'not_found');
  });
});
