import { afterEach, describe, expect, it } from 'vitest';
import { Outreach, OutreachError, Page } from '../src/index';
import { type Seen, startPeer } from './peer';

const ALL = Array.from({ length: 7 }, (_, i) => ({ id: `cmp_${i}`, name: `c${i}` }));

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A paged list: `limit` (default 3) items after the `cursor` (the last id seen). */
async function listServer(items = ALL) {
  const p = await startPeer((req: Seen) => {
    const limit = Number(req.url.searchParams.get('limit') ?? 3);
    const cursor = req.url.searchParams.get('cursor');
    const start = cursor ? items.findIndex((c) => c.id === cursor) + 1 : 0;
    const page = items.slice(start, start + limit);
    const more = start + limit < items.length;
    return { status: 200, body: { items: page, next_cursor: more ? page.at(-1)?.id : null } };
  });
  close = p.close;
  return { p, client: new Outreach({ apiKey: 'k', baseUrl: p.url, workspaceId: 3 }) };
}

describe('list pagination', () => {
  it('await gives one page with hasNextPage/getNextPage', async () => {
    const { p, client } = await listServer();
    const page = await client.campaigns.list({ limit: 3 });
    expect(page).toBeInstanceOf(Page);
    expect(page.items.map((c) => c.id)).toEqual(['cmp_0', 'cmp_1', 'cmp_2']);
    expect(page.next_cursor).toBe('cmp_2');
    expect(page.hasNextPage()).toBe(true);
    const second = await page.getNextPage();
    expect(second.items.map((c) => c.id)).toEqual(['cmp_3', 'cmp_4', 'cmp_5']);
    const third = await second.getNextPage();
    expect(third.items.map((c) => c.id)).toEqual(['cmp_6']);
    expect(third.hasNextPage()).toBe(false);
    await expect(third.getNextPage()).rejects.toBeInstanceOf(OutreachError);
    // every page keeps the filters and the workspace; only the cursor moves
    expect(p.seen.map((r) => r.url.search)).toEqual([
      '?workspaceId=3&limit=3',
      '?workspaceId=3&limit=3&cursor=cmp_2',
      '?workspaceId=3&limit=3&cursor=cmp_5',
    ]);
  });

  it('for await walks every item across cursors, the last page included', async () => {
    const { p, client } = await listServer();
    const ids: string[] = [];
    for await (const c of client.campaigns.list({ limit: 3 })) ids.push(c.id);
    expect(ids).toEqual(ALL.map((c) => c.id));
    expect(p.seen).toHaveLength(3);
  });

  it('iterPages yields every page, the last one too', async () => {
    const { client } = await listServer();
    const sizes: number[] = [];
    for await (const page of client.campaigns.list({ limit: 3 }).iterPages()) sizes.push(page.items.length);
    expect(sizes).toEqual([3, 3, 1]);
    const exact: number[] = [];
    for await (const page of client.campaigns.list({ limit: 7 }).iterPages()) exact.push(page.items.length);
    expect(exact).toEqual([7]);
  });

  it('a page can be iterated from where it stands; breaking early stops fetching', async () => {
    const { p, client } = await listServer();
    const first = await client.campaigns.list({ limit: 2 });
    const second = await first.getNextPage();
    const rest: string[] = [];
    for await (const c of second) rest.push(c.id);
    expect(rest).toEqual(['cmp_2', 'cmp_3', 'cmp_4', 'cmp_5', 'cmp_6']);
    const before = p.seen.length;
    for await (const c of client.campaigns.list({ limit: 2 })) {
      if (c.id === 'cmp_1') break;
    }
    expect(p.seen.length - before).toBe(1);
  });

  it('fetches nothing until used, and the first page once however often awaited', async () => {
    const { p, client } = await listServer();
    const pending = client.campaigns.list();
    await new Promise((r) => setTimeout(r, 50));
    expect(p.seen).toHaveLength(0);
    const [a, b] = await Promise.all([pending, pending]);
    expect(a).toBe(b);
    expect(p.seen).toHaveLength(1);
  });

  it('an empty list: no items, no next page', async () => {
    const { client } = await listServer([]);
    const page = await client.campaigns.list();
    expect(page.items).toEqual([]);
    expect(page.hasNextPage()).toBe(false);
    const all = [];
    for await (const c of client.campaigns.list()) all.push(c);
    expect(all).toEqual([]);
  });

  it('a list without next_cursor (steps) is one page', async () => {
    const steps = [{ id: 'stp_1' }, { id: 'stp_2' }];
    const p = await startPeer(() => ({ status: 200, body: { items: steps } }));
    close = p.close;
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const page = await client.steps.list('cmp_1');
    expect(page.next_cursor).toBeNull();
    expect(page.hasNextPage()).toBe(false);
    const ids: string[] = [];
    for await (const s of client.steps.list('cmp_1')) ids.push(s.id);
    expect(ids).toEqual(['stp_1', 'stp_2']);
    // one request per list() call: no next page is asked for
    expect(p.seen.map((r) => r.url.pathname)).toEqual(['/campaigns/cmp_1/steps', '/campaigns/cmp_1/steps']);
  });
});
