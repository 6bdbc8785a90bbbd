/**
 * Import shapes: repeated headers keep every column, `imported` counts stored contacts (repeats
 * are `duplicates`), ids within one import are random, and random CSV shapes never lose a column
 * nor answer 500 (property test).
 */
import { type Deps, openDb } from '@outreach/shared';
import { importsLoop } from '@outreach/worker/loops/imports';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type Res, type TestApp } from './support';

let t: TestApp;
let worker: Deps;
beforeAll(async () => {
  t = await makeTestApp();
  worker = { ...t.deps, db: openDb(t.deps.config.databaseUrl) };
});
afterAll(() => {
  worker.db.close();
  t.close();
});

const campaign = async () =>
  (await t.a.req('POST', '/campaigns', { body: { name: 'shapes' } })).body.id as string;
const form = (content: string, campaignId?: string) => {
  const fd = new FormData();
  if (campaignId) fd.append('campaignId', campaignId);
  fd.append('file', new Blob([content], { type: 'text/csv' }), 'leads.csv');
  return fd;
};
const importSync = (id: string, csv: string): Promise<Res> =>
  t.a.req('POST', `/campaigns/${id}/contacts/import`, { raw: form(csv) });
async function contactsOf(id: string) {
  const res = await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 200 } });
  return res.body.items as {
    id: string;
    email: string;
    firstName: string | null;
    customJson: Record<string, unknown>;
  }[];
}
/** Upload → preview → confirm the suggested mapping, other columns kept as custom fields → the worker runs it. */
async function importAsync(id: string, csv: string) {
  const created = await t.a.req('POST', '/imports', { raw: form(csv, id) });
  expect(created.status).toBe(202);
  const importId = created.body.importId as string;
  const preview = await t.a.req('GET', `/imports/${importId}/mapping-preview`);
  const mapping = Object.fromEntries(
    (preview.body.columns as string[]).map((col) => [col, preview.body.suggestedMapping[col] ?? col]),
  );
  const confirm = await t.a.req('POST', `/imports/${importId}/mapping-confirm`, { body: { mapping } });
  expect(confirm.status).toBe(200);
  await importsLoop.tick(worker, { workerId: 'test', stopping: () => false });
  const status = await t.a.req('GET', `/imports/${importId}/status`);
  return { preview: preview.body, status: status.body };
}

describe('repeated CSV headers keep both columns (x, x_2)', () => {
  const CSV = 'email,x,x,note,x\nann@a.test,1,2,n,3\n';

  it('sync import', async () => {
    const id = await campaign();
    const res = await importSync(id, CSV);
    expect(res.status).toBe(200);
    const [c] = await contactsOf(id);
    expect(c!.customJson).toEqual({ x: '1', x_2: '2', note: 'n', x_3: '3' });
  });

  it('async import: mapping preview and import', async () => {
    const id = await campaign();
    const { preview, status } = await importAsync(id, CSV);
    expect(preview.columns).toEqual(['email', 'x', 'x_2', 'note', 'x_3']);
    expect(preview.sampleRows).toEqual([{ email: 'ann@a.test', x: '1', x_2: '2', note: 'n', x_3: '3' }]);
    expect(status.status).toBe('completed');
    const [c] = await contactsOf(id);
    expect(c!.customJson).toEqual({ x: '1', x_2: '2', note: 'n', x_3: '3' });
  });

  it('a numbered name already in the header is skipped', async () => {
    const id = await campaign();
    await importSync(id, 'email,x,x_2,x\nbo@a.test,1,2,3\n');
    const [c] = await contactsOf(id);
    expect(c!.customJson).toEqual({ x: '1', x_2: '2', x_3: '3' });
  });
});

describe('imported counts stored contacts; repeats are duplicates', () => {
  const CSV = 'email,first_name\nsam@a.test,One\nSAM@a.test,Two\nsam@a.test,Three\nbad,Row\n';

  it('sync import: 3 rows of one address → imported 1, duplicates 2', async () => {
    const id = await campaign();
    const res = await importSync(id, CSV);
    expect(res.body).toMatchObject({
      imported: 1,
      duplicates: 2,
      parsed: 4,
      valid: 3,
      invalid: 1,
      upserted: 1,
      created: 1,
    });
    expect(await contactsOf(id)).toHaveLength(1);
    // Importing it again: the same one contact (now updated, not created).
    const again = await importSync(id, CSV);
    expect(again.body).toMatchObject({ imported: 1, duplicates: 2, upserted: 1, created: 0 });
  });

  it('JSON add', async () => {
    const id = await campaign();
    const res = await t.a.req('POST', `/campaigns/${id}/contacts`, {
      body: { contacts: [{ email: 'kim@a.test' }, { email: 'Kim@a.test' }, { email: 'lee@a.test' }] },
    });
    expect(res.body).toMatchObject({ imported: 2, duplicates: 1, valid: 3, upserted: 2 });
  });

  it('async import (repeats across the file count once)', async () => {
    const id = await campaign();
    const rows = Array.from({ length: 2500 }, (_, i) => `u${i % 1000}@a.test,N${i}`).join('\n');
    const { status } = await importAsync(id, `email,first_name\n${rows}\nbad,x\n`);
    expect(status).toMatchObject({
      status: 'completed',
      totalRows: 2501,
      imported: 1000,
      duplicates: 1500,
      invalid: 1,
    });
  });
});

describe('contact ids within one import', () => {
  it('are random (not …0000, …0001), of the usual shape, and list in file order', async () => {
    const id = await campaign();
    const emails = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(2, '0')}@a.test`);
    await importSync(id, `email\n${emails.join('\n')}\n`);
    const list = await contactsOf(id);
    expect(list.map((c) => c.email)).toEqual(emails);
    for (const c of list) expect(c.id).toMatch(/^cnt_[0-9a-z]{26}$/);
    const tails = list.map((c) => Number.parseInt(c.id.slice(-10), 16));
    const gaps = new Set(tails.slice(1).map((v, i) => v - tails[i]!));
    expect(gaps.size).toBeGreaterThan(50); // random steps; an ordinal has one gap (1)
    expect(Math.min(...gaps)).toBeGreaterThan(0);
  });
});

describe('CSV shapes (property)', () => {
  it('random headers, quotes and repeats: never a 500, never a lost column', async () => {
    const id = await campaign();
    const name = fc.oneof(
      fc.constantFrom(
        'x',
        'x',
        'x_2',
        'Name',
        'company',
        'note',
        'a b',
        'q"uote',
        'com,ma',
        'line\nbreak',
        '',
      ),
      fc.stringMatching(/^[a-z][a-z0-9_ ]{0,8}$/),
    );
    const quote = (s: string) => (/[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s);
    let n = 0;
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(name, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (names, quoteAll) => {
          n++;
          const email = `p${n}@shape.test`;
          const header = ['email', ...names];
          const cell = (s: string) => (quoteAll ? `"${s.replace(/"/g, '""')}"` : quote(s));
          const values = names.map((_, i) => `v${i},"${i}`);
          const csv = `${header.map(cell).join(',')}\n${[email, ...values].map(cell).join(',')}\n`;
          const res = await importSync(id, csv);
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) return; // e.g. a header that maps to a known field twice: 422
          stored++;
          expect(res.body).toMatchObject({ imported: 1, invalid: 0 });
          const got = (
            await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 200 } })
          ).body.items.find((c: { email: string }) => c.email === email);
          // Every value of every named column is somewhere in the contact: nothing dropped.
          const text = JSON.stringify([got.firstName, got.lastName, got.customJson]);
          names.forEach((h, i) => {
            if (h.trim() === '') return;
            expect(text).toContain(JSON.stringify(values[i]).slice(1, -1));
          });
        },
      ),
      { seed: 20261201, numRuns: 100 },
    );
    expect(stored).toBeGreaterThan(50);
  });
});
