import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, Outreach, UnprocessableEntityError } from '../src/index';
import { problem, type Seen, startPeer } from './peer';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function peer(answer: Parameters<typeof startPeer>[0]) {
  const p = await startPeer(answer);
  close = p.close;
  return { p, client: new Outreach({ apiKey: 'osk_test', baseUrl: p.url, workspaceId: 42, maxRetries: 0 }) };
}

const SENDS = Array.from({ length: 5 }, (_, i) => ({
  id: `snd_${i}`,
  campaignId: 'cmp_1',
  contactId: `cnt_${i % 2}`,
  status: 'sent',
}));

describe('sends.list', () => {
  it('pages through every send with the filters kept on each page', async () => {
    const { p, client } = await peer((req: Seen) => {
      const limit = Number(req.url.searchParams.get('limit') ?? 2);
      const cursor = req.url.searchParams.get('cursor');
      const start = cursor ? SENDS.findIndex((s) => s.id === cursor) + 1 : 0;
      const page = SENDS.slice(start, start + limit);
      return {
        status: 200,
        body: { items: page, next_cursor: start + limit < SENDS.length ? page.at(-1)!.id : null },
      };
    });
    const ids: string[] = [];
    for await (const s of client.sends.list('cmp_1', { limit: 2, status: 'sent', contactId: 'cnt_1' }))
      ids.push(s.id);
    expect(ids).toEqual(SENDS.map((s) => s.id));
    expect(p.seen.map((r) => r.url.pathname)).toEqual([
      '/campaigns/cmp_1/sends',
      '/campaigns/cmp_1/sends',
      '/campaigns/cmp_1/sends',
    ]);
    for (const r of p.seen) {
      expect(Object.fromEntries(r.url.searchParams)).toMatchObject({
        workspaceId: '42',
        limit: '2',
        status: 'sent',
        contactId: 'cnt_1',
      });
      expect(r.headers.authorization).toBe('Bearer osk_test');
    }
    expect(p.seen.map((r) => r.url.searchParams.get('cursor'))).toEqual([null, 'snd_1', 'snd_3']);
    const first = await client.sends.list('cmp_1', { limit: 2 });
    expect(first.items).toHaveLength(2);
  });
});

describe('campaigns.stats and campaigns.export', () => {
  it('stats GETs /campaigns/{id}/stats', async () => {
    const body = {
      campaignId: 'cmp_1',
      status: 'active',
      contacts: { total: 1 },
      sends: { total: 0 },
      steps: [],
    };
    const { p, client } = await peer(() => ({ status: 200, body }));
    expect(await client.campaigns.stats('cmp_1')).toEqual(body);
    expect(p.seen[0]!.url.pathname).toBe('/campaigns/cmp_1/stats');
  });

  it('export: JSON for the summary, text for CSV, a stream on request', async () => {
    const csv = 'id,status\r\nsnd_1,sent\r\n';
    const { p, client } = await peer((req) =>
      req.url.searchParams.get('kind') === 'summary'
        ? { status: 200, body: { kind: 'summary', table: [] } }
        : { status: 200, body: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } },
    );
    expect(await client.campaigns.export('cmp_1')).toEqual({ kind: 'summary', table: [] });
    const text = await client.campaigns.export('cmp_1', { kind: 'sends' });
    expect(text).toBe(csv);
    const stream = await client.campaigns.exportStream('cmp_1', { kind: 'contacts' });
    expect(await new Response(stream).text()).toBe(csv);
    expect(p.seen.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { kind: 'summary', workspaceId: '42' },
      { kind: 'sends', workspaceId: '42' },
      { kind: 'contacts', workspaceId: '42' },
    ]);
    expect(p.seen[1]!.headers.accept).toMatch(/text\/csv/);
  });

  it('export errors are typed API errors carrying the problem', async () => {
    const { client } = await peer((req) =>
      req.url.searchParams.get('kind') === 'sends'
        ? { status: 404, body: problem(404, 'not_found') }
        : {
            status: 422,
            body: problem(422, 'validation_failed', { errors: [{ path: 'kind', message: 'bad' }] }),
          },
    );
    await expect(client.campaigns.export('cmp_x', { kind: 'sends' })).rejects.toBeInstanceOf(NotFoundError);
    const err = await client.campaigns.exportStream('cmp_x', { kind: 'contacts' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect((err as UnprocessableEntityError).status).toBe(422);
  });
});
