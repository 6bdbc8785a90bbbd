import { createLogger } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
const logged: string[] = [];
beforeAll(async () => {
  t = await makeTestApp();
  t.deps.log = createLogger('info', {}, { write: (l: string) => logged.push(l) });
  // A route that fails unexpectedly (added before the first request builds the router).
  t.app.get('/test/boom', () => {
    throw new TypeError('kaboom: something unexpected');
  });
});
afterAll(() => t.close());

async function campaignCount(caller = t.a): Promise<number> {
  const res = await caller.req('GET', '/campaigns', { query: { limit: 200 } });
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('?workspaceId= is a plain integer, checked in one place', () => {
  // `b`'s key naming `a`'s workspace in a spelling zod's coercion would read as a's id.
  const spellings = (id: number) => [
    `${id}.0`,
    `${id}e0`,
    `+${id}`,
    `0x${id.toString(16)}`,
    ` ${id}`,
    `0${id}`,
    `${id} `,
    '',
  ];

  it('anything but digits → 422 naming workspaceId, on writes and reads; nothing is created', async () => {
    const before = await campaignCount(t.b);
    for (const w of spellings(t.a.workspaceId)) {
      const post = await t.b.req('POST', '/campaigns', { body: { name: 'x' }, query: { workspaceId: w } });
      expectProblem(post, 422, 'validation_failed', 'workspaceId');
      const get = await t.b.req('GET', '/campaigns', { query: { workspaceId: w } });
      expectProblem(get, 422, 'validation_failed', 'workspaceId');
    }
    // `%201` as the raw query (decoded to " 1").
    const raw = await t.app.request(`/campaigns?workspaceId=%20${t.a.workspaceId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.b.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(raw.status).toBe(422);
    expect(await campaignCount(t.b)).toBe(before);
    expect(await campaignCount(t.a)).toBe(0);
  });

  it("another workspace's id → 403; repeated, each value counts; the key's own id → 201", async () => {
    expectProblem(
      await t.b.req('POST', '/campaigns', { body: { name: 'x' }, query: { workspaceId: t.a.workspaceId } }),
      403,
      'forbidden',
    );
    const repeated = await t.app.request(
      `/campaigns?workspaceId=${t.b.workspaceId}&workspaceId=${t.a.workspaceId}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${t.b.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      },
    );
    expect(repeated.status).toBe(403);
    expectProblem(await t.b.req('GET', '/campaigns', { query: { workspaceId: 0 } }), 403, 'forbidden');
    const own = await t.b.req('POST', '/campaigns', { body: { name: 'mine' } });
    expect(own.status).toBe(201);
    expect(own.body.workspaceId).toBe(t.b.workspaceId);
    expect((await t.b.req('POST', '/campaigns', { body: { name: 'x' }, workspace: false })).status).toBe(201);
  });
});

describe('415 on JSON routes', () => {
  it('a body that is not application/json → 415 unsupported_media_type', async () => {
    for (const ct of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', undefined]) {
      const res = await t.a.req('POST', '/campaigns', {
        raw: '{"name":"x"}',
        headers: ct ? { 'content-type': ct } : {},
      });
      expectProblem(res, 415, 'unsupported_media_type');
      expect(res.body.type).toBe('https://outreach.dev/problems/unsupported-media-type');
      expect(res.body.detail).toContain('application/json');
    }
    const id = (await t.a.req('POST', '/campaigns', { body: { name: 'c' } })).body.id;
    const patch = await t.a.req('PATCH', `/campaigns/${id}`, {
      raw: 'name=y',
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(patch, 415, 'unsupported_media_type');
  });
});

describe('unexpected errors', () => {
  it('500 internal_error to the caller; the log line keeps the stack and the request id', async () => {
    const res = await t.a.req('GET', '/test/boom', { headers: { 'x-request-id': 'req-boom-1' } });
    expectProblem(res, 500, 'internal_error');
    expect(res.text).not.toContain('kaboom');
    const line = logged.map((l) => JSON.parse(l)).find((r) => r.msg === 'unhandled error');
    expect(line).toMatchObject({ level: 'error', path: '/test/boom', requestId: 'req-boom-1' });
    expect(line.err.type).toBe('TypeError');
    expect(line.err.stack).toContain('TypeError: kaboom: something unexpected');
    expect(line.err.stack).toContain('request-parsing.test.ts');
  });
});
