import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFloor, newId, sqlId } from '../src/ids';

const ID = /^cnt_[0-9a-z]{26}$/;

describe('newId', () => {
  it('is time-sortable, strictly increasing within a millisecond, and not sequential', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const ids = Array.from({ length: 1000 }, () => newId('contact', now));
    for (const id of ids) expect(id).toMatch(ID);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Neighbours differ by a random step, not by one: the low digits are not a counter.
    const lastChars = new Set(ids.map((id) => id.slice(-1)));
    expect(lastChars.size).toBeGreaterThan(20);
    const tails = ids.map((id) => id.slice(-4));
    const steps = new Set(tails.slice(1).map((t, i) => t !== tails[i]));
    expect(steps).toEqual(new Set([true]));
    expect(ids[0]!.startsWith(idFloor('contact', now))).toBe(true);
    expect(newId('contact', now + 1) > ids[999]!).toBe(true);
  });
});

describe('sqlId (ids made in SQL)', () => {
  let dir: string;
  let client: Client;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ids-'));
    client = createClient({ url: `file:${join(dir, 'ids.db')}` });
  });
  afterAll(() => {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes one random id per row, with the time prefix and the code ids’ shape', async () => {
    const now = Date.parse('2026-12-01T10:30:00Z');
    const id = sqlId('contact', now);
    const res = await client.execute({
      sql: `SELECT ${id.sql} AS id FROM json_each(?)`,
      args: [id.prefix, JSON.stringify(Array.from({ length: 1000 }, (_, i) => i))],
    });
    const ids = res.rows.map((r) => r.id as string);
    expect(new Set(ids).size).toBe(1000);
    for (const x of ids) {
      expect(x).toMatch(ID);
      expect(x.startsWith(idFloor('contact', now))).toBe(true);
      expect(x > idFloor('contact', now) && x < idFloor('contact', now + 1)).toBe(true);
    }
    // Not an ordinal (`…0000`, `…0001`): past the shared 20-character prefix, neighbours differ at once.
    const sharedPrefix = ids.slice(1).filter((x, i) => x.slice(0, 22) === ids[i]!.slice(0, 22)).length;
    expect(sharedPrefix).toBeLessThan(5);
    const named = sqlId('event', now, { param: ':p' });
    expect(named.sql).toContain(':p');
  });

  it('with orderBy: random ids that follow the rows’ order (an import lists in file order)', async () => {
    const id = sqlId('contact', Date.parse('2026-12-01T10:40:00Z'), { orderBy: 'j.key' });
    const res = await client.execute({
      sql: `SELECT j.key AS k, ${id.sql} AS id FROM json_each(?) j ORDER BY j.key`,
      args: [id.prefix, JSON.stringify(Array.from({ length: 1000 }, (_, i) => i))],
    });
    const ids = res.rows.map((r) => r.id as string);
    for (const x of ids) expect(x).toMatch(ID);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    const gaps = new Set(
      ids.slice(1).map((x, i) => Number.parseInt(x.slice(-10), 16) - Number.parseInt(ids[i]!.slice(-10), 16)),
    );
    expect(gaps.size).toBeGreaterThan(990); // random steps, not +1
  });

  it('keeps creation order across ids made in code and in SQL (within one millisecond too)', async () => {
    const now = Date.parse('2026-12-01T11:00:00Z');
    const made: string[] = [];
    for (let round = 0; round < 20; round++) {
      made.push(newId('event', now));
      const id = sqlId('event', now);
      const res = await client.execute({
        sql: `SELECT ${id.sql} AS id FROM json_each(?)`,
        args: [id.prefix, JSON.stringify([1, 2, 3, 4, 5])],
      });
      const block = res.rows.map((r) => r.id as string).sort();
      made.push(...block);
    }
    made.push(newId('event', now));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });
});
