import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('campaigns', () => {
  it('creates a campaign with the seed request and answers the seed shape', async () => {
    const res = await t.a.req('POST', '/campaigns', { body: { name: 'Q1 SaaS Outreach', priority: 'HIGH' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      workspaceId: t.a.workspaceId,
      name: 'Q1 SaaS Outreach',
      priority: 'HIGH',
      status: 'draft',
    });
    expect(res.body.id).toMatch(/^cmp_[0-9a-z]{26}$/);
    expect(res.body.createdAt).toMatch(/Z$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('defaults priority to MEDIUM', async () => {
    const res = await t.a.req('POST', '/campaigns', { body: { name: 'Plain' } });
    expect(res.body.priority).toBe('MEDIUM');
  });

  it('validates every failing field with 422', async () => {
    const res = await t.a.req('POST', '/campaigns', { body: { name: '', priority: 'URGENT' } });
    expectProblem(res, 422, 'validation_failed', 'name');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['name', 'priority']),
    );
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.a.req('POST', '/campaigns', {
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'malformed_json');
  });

  it('answers a body over the limit with 413', async () => {
    const res = await t.a.req('POST', '/campaigns', { body: { name: 'x'.repeat(2 * 1024 * 1024) } });
    expectProblem(res, 413, 'payload_too_large');
  });

  it('gets, patches and deletes', async () => {
    const { body: created } = await t.a.req('POST', '/campaigns', { body: { name: 'Edit me' } });
    const got = await t.a.req('GET', `/campaigns/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: created.id,
      schedule: null,
      launchedAt: null,
      stopRules: { stopOnReply: true },
    });
    const patched = await t.a.req('PATCH', `/campaigns/${created.id}`, {
      body: { name: 'Edited', priority: 'LOW' },
    });
    expect(patched.body).toMatchObject({ name: 'Edited', priority: 'LOW' });
    const badPatch = await t.a.req('PATCH', `/campaigns/${created.id}`, { body: { priority: 'NOPE' } });
    expectProblem(badPatch, 422, 'validation_failed', 'priority');
    expect((await t.a.req('DELETE', `/campaigns/${created.id}`)).status).toBe(204);
    expectProblem(await t.a.req('GET', `/campaigns/${created.id}`), 404, 'not_found');
  });

  it('401 without a key, with a bad key', async () => {
    expectProblem(await t.a.req('GET', '/campaigns', { key: null }), 401, 'unauthorized');
    expectProblem(await t.a.req('GET', '/campaigns', { key: 'osk_nope' }), 401, 'unauthorized');
  });

  it("403 with another workspace's id, 404 for another workspace's campaign", async () => {
    const { body: mine } = await t.a.req('POST', '/campaigns', { body: { name: 'Mine' } });
    expectProblem(
      await t.a.req('GET', '/campaigns', { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.a.req('POST', '/campaigns', { body: { name: 'x' }, query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'stolen' }],
      ['DELETE', undefined],
    ] as const) {
      expectProblem(await t.b.req(method, `/campaigns/${mine.id}`, { body }), 404, 'not_found');
    }
    const list = await t.b.req('GET', '/campaigns');
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(mine.id);
  });
});

describe('pagination', () => {
  it('walks 120 items with no gap or repeat while rows are inserted between pages', async () => {
    const fresh = await makeTestApp();
    try {
      for (let i = 0; i < 120; i++) await fresh.a.req('POST', '/campaigns', { body: { name: `c${i}` } });
      const seen: string[] = [];
      let cursor: string | undefined;
      let inserted = 0;
      do {
        const res = await fresh.a.req('GET', '/campaigns', { query: { limit: 7, cursor } });
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((c: { name: string }) => c.name));
        cursor = res.body.next_cursor ?? undefined;
        await fresh.a.req('POST', '/campaigns', { body: { name: `late${inserted++}` } });
      } while (cursor);
      const original = seen.filter((n) => n.startsWith('c'));
      expect(original).toEqual(Array.from({ length: 120 }, (_, i) => `c${i}`));
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      fresh.close();
    }
  });

  it('rejects a forged cursor and a limit out of range', async () => {
    expectProblem(
      await t.a.req('GET', '/campaigns', { query: { cursor: 'garbage' } }),
      422,
      'validation_failed',
      'cursor',
    );
    expectProblem(
      await t.a.req('GET', '/campaigns', { query: { limit: 500 } }),
      422,
      'validation_failed',
      'limit',
    );
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and body', async () => {
    const headers = { 'idempotency-key': 'create-001' };
    const first = await t.a.req('POST', '/campaigns', { body: { name: 'Once', priority: 'LOW' }, headers });
    const again = await t.a.req('POST', '/campaigns', { body: { priority: 'LOW', name: 'Once' }, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const all = await t.a.req('GET', '/campaigns', { query: { limit: 200 } });
    expect(all.body.items.filter((c: { name: string }) => c.name === 'Once')).toHaveLength(1);
  });

  it('409 for the same key with another body', async () => {
    const headers = { 'idempotency-key': 'create-002' };
    await t.a.req('POST', '/campaigns', { body: { name: 'One' }, headers });
    expectProblem(
      await t.a.req('POST', '/campaigns', { body: { name: 'Two' }, headers }),
      409,
      'idempotency_conflict',
    );
  });

  it('scopes keys per workspace', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await t.a.req('POST', '/campaigns', { body: { name: 'Same' }, headers });
    const b = await t.b.req('POST', '/campaigns', { body: { name: 'Same' }, headers });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not store a validation failure as success: a fixed retry with a new key works', async () => {
    const res = await t.a.req('POST', '/campaigns', {
      body: { name: '' },
      headers: { 'idempotency-key': 'bad-1' },
    });
    expect(res.status).toBe(422);
    const replay = await t.a.req('POST', '/campaigns', {
      body: { name: '' },
      headers: { 'idempotency-key': 'bad-1' },
    });
    expect(replay.status).toBe(422);
  });
});

describe('request ids and errors', () => {
  it('echoes the caller request id', async () => {
    const res = await t.a.req('GET', '/campaigns', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const err = await t.a.req('GET', '/campaigns/cmp_missing', { headers: { 'x-request-id': 'abc-456' } });
    expect(err.body.requestId).toBe('abc-456');
  });

  it('unknown route is a problem+json 404', async () => {
    expectProblem(await t.a.req('GET', '/nope'), 404, 'not_found');
  });
});
