/** The contacts export keeps every custom column, however many (it used to keep 200 of 100,000). */
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const FIXED = 10;

async function wideCampaign(contacts: number, keysEach: number) {
  const id = (await t.a.req('POST', '/campaigns', { body: { name: 'wide' } })).body.id as string;
  const rows = Array.from({ length: contacts }, (_, c) => {
    const custom: Record<string, string> = {};
    for (let k = 0; k < keysEach; k++) custom[`f${c}_${k}`] = `v${c}.${k}`;
    return [`w${c}@wide.test`, JSON.stringify(custom)];
  });
  const res = await t.a.req('POST', `/campaigns/${id}/contacts`, {
    body: { contacts: rows.map(([email]) => ({ email })) },
  });
  expect(res.status).toBe(200);
  // Custom fields this wide come from JSON bodies of their own (one contact per request would
  // hit the body cap): written straight to the rows.
  for (const [email, custom] of rows) {
    await t.deps.db.client.execute({
      sql: 'UPDATE contacts SET custom_json = ? WHERE campaign_id = ? AND email = ?',
      args: [custom!, id, email!],
    });
  }
  return id;
}

describe('contacts export with many custom columns', () => {
  it('exports all 100,000 custom columns, each contact’s values in its own columns', async () => {
    const contacts = 10;
    const keysEach = 10_000;
    const id = await wideCampaign(contacts, keysEach);
    const started = performance.now();
    const res = await t.a.req('GET', `/campaigns/${id}/export`, { query: { kind: 'contacts' } });
    console.log(
      `wide export: ${(res.text.length / 1e6).toFixed(1)} MB in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(res.status).toBe(200);
    const parsed = Papa.parse<string[]>(res.text, { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const [header, ...data] = parsed.data;
    expect(header).toHaveLength(FIXED + contacts * keysEach);
    expect(data).toHaveLength(contacts);
    const col = new Map(header!.map((h, i) => [h, i]));
    for (const row of data) {
      expect(row).toHaveLength(header!.length);
      const c = Number(row[1]!.match(/^w(\d+)@/)![1]);
      for (const k of [0, 1, 4_999, keysEach - 1]) expect(row[col.get(`f${c}_${k}`)!]).toBe(`v${c}.${k}`);
      // Every value this contact has is in the row; the other contacts' columns are empty.
      // id, email, status, currentStep, createdAt, updatedAt + its own fields
      expect(row.filter((cell) => cell !== '').length).toBe(6 + keysEach);
    }
  });
});
