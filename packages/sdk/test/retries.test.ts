import { afterEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ConflictError,
  InternalServerError,
  Outreach,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/index';
import { backoffMs, retryAfterMs } from '../src/retry';
import { type Answer, problem, type Seen, startPeer } from './peer';

const campaign = {
  id: 'cmp_1',
  workspaceId: 7,
  name: 'Q1',
  priority: 'HIGH',
  status: 'draft',
  createdAt: '2026-03-09T10:00:00Z',
  updatedAt: '2026-03-09T10:00:00Z',
};

let peers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});

async function peer(answer: (req: Seen, n: number) => Answer) {
  const p = await startPeer(answer);
  peers.push(p);
  return p;
}

/** Answers the given statuses in turn, then `last` for every later request. */
function script(answers: Answer[], last: Answer = { status: 201, body: campaign }) {
  return (_req: Seen, n: number) => answers[n] ?? last;
}

describe('retries', () => {
  it('retries 500/503 and succeeds, reusing one generated Idempotency-Key and the same body', async () => {
    const p = await peer(
      script([
        { status: 500, body: problem(500, 'internal') },
        { status: 503, body: 'busy' },
      ]),
    );
    const client = new Outreach({ apiKey: 'osk_test', baseUrl: p.url, workspaceId: 7 });
    const created = await client.campaigns.create({ name: 'Q1', priority: 'HIGH' });
    expect(created.id).toBe('cmp_1');
    expect(p.seen).toHaveLength(3);
    const keys = p.seen.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^sdk_[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    for (const r of p.seen) {
      expect(r.method).toBe('POST');
      expect(JSON.parse(r.body)).toEqual({ name: 'Q1', priority: 'HIGH' });
      expect(r.url.pathname).toBe('/campaigns');
      expect(r.url.searchParams.get('workspaceId')).toBe('7');
      expect(r.headers.authorization).toBe('Bearer osk_test');
    }
  });

  it('each POST call gets its own key; a caller-given key is sent on every attempt', async () => {
    const p = await peer((_r, n) =>
      n % 2 === 0 ? { status: 502, body: '' } : { status: 201, body: campaign },
    );
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    await client.campaigns.create({ name: 'a' });
    await client.campaigns.create({ name: 'a' });
    await client.campaigns.create({ name: 'a' }, { idempotencyKey: 'import-batch-001' });
    const keys = p.seen.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(6);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).toBe(keys[3]);
    expect(keys[0]).not.toBe(keys[2]);
    expect(keys[4]).toBe('import-batch-001');
    expect(keys[5]).toBe('import-batch-001');
  });

  it('a multipart body is sent whole on every attempt (the request is cloned per attempt)', async () => {
    const p = await peer(script([{ status: 503, body: '' }], { status: 200, body: { imported: 2 } }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, workspaceId: 7 });
    const form = new FormData();
    form.set(
      'file',
      new Blob(['email,firstName\nsarah@acme.com,Sarah\n'], { type: 'text/csv' }),
      'leads.csv',
    );
    const out = await client.request(
      'post',
      '/campaigns/{id}/contacts/import',
      { path: { id: 'cmp_1' }, body: form },
      { idempotencyKey: 'import-batch-001' },
    );
    expect(out).toEqual({ imported: 2 });
    expect(p.seen).toHaveLength(2);
    const [a, b] = p.seen;
    expect(a?.url.pathname).toBe('/campaigns/cmp_1/contacts/import');
    expect(a?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(b?.headers['content-type']).toBe(a?.headers['content-type']);
    expect(b?.body).toBe(a?.body);
    expect(a?.body).toContain('sarah@acme.com,Sarah');
    expect([a?.headers['idempotency-key'], b?.headers['idempotency-key']]).toEqual([
      'import-batch-001',
      'import-batch-001',
    ]);
  });

  it('sends no Idempotency-Key on GET, PATCH or DELETE', async () => {
    const p = await peer((r) => (r.method === 'DELETE' ? { status: 204 } : { status: 200, body: campaign }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    await client.campaigns.get('cmp_1');
    await client.campaigns.update('cmp_1', { name: 'b' });
    await client.campaigns.delete('cmp_1');
    expect(p.seen.map((r) => [r.method, r.url.pathname])).toEqual([
      ['GET', '/campaigns/cmp_1'],
      ['PATCH', '/campaigns/cmp_1'],
      ['DELETE', '/campaigns/cmp_1'],
    ]);
    for (const r of p.seen) expect(r.headers['idempotency-key']).toBeUndefined();
  });

  it('gives up after maxRetries with the mapped error of the last answer', async () => {
    const p = await peer(() => ({ status: 500, body: problem(500, 'internal_error') }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, maxRetries: 1 });
    const err = await client.campaigns.get('cmp_1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ status: 500, code: 'internal_error', requestId: 'req_500' });
    expect(p.seen).toHaveLength(2);
  });

  it('maxRetries: 0 sends once', async () => {
    const p = await peer(() => ({ status: 503, body: problem(503, 'unavailable') }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, maxRetries: 0 });
    await expect(client.campaigns.get('cmp_1')).rejects.toBeInstanceOf(InternalServerError);
    expect(p.seen).toHaveLength(1);
  });

  it('per-call maxRetries wins over the client default', async () => {
    const p = await peer(() => ({ status: 500, body: problem(500, 'internal_error') }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, maxRetries: 0 });
    await expect(client.campaigns.get('cmp_1', { maxRetries: 2 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(p.seen).toHaveLength(3);
  });

  it('retries 408 and 429; does not retry 400, 404, 409 conflicts or 422', async () => {
    const p = await peer(
      script(
        [
          { status: 408, body: '' },
          { status: 429, body: problem(429, 'rate_limited') },
        ],
        { status: 200, body: campaign },
      ),
    );
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    await client.campaigns.get('cmp_1');
    expect(p.seen).toHaveLength(3);

    for (const [status, code] of [
      [400, 'malformed_json'],
      [404, 'not_found'],
      [409, 'idempotency_conflict'],
      [422, 'validation_failed'],
    ] as const) {
      const q = await peer(() => ({ status, body: problem(status, code) }));
      const c = new Outreach({ apiKey: 'k', baseUrl: q.url });
      const err = await c.campaigns.create({ name: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status, code });
      expect(q.seen).toHaveLength(1);
    }
  });

  it('retries 409 idempotency_in_progress with the same key until the first request finished', async () => {
    const p = await peer(script([{ status: 409, body: problem(409, 'idempotency_in_progress') }]));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const out = await client.campaigns.create({ name: 'x' });
    expect(out.id).toBe('cmp_1');
    expect(p.seen).toHaveLength(2);
    expect(p.seen[0]?.headers['idempotency-key']).toBe(p.seen[1]?.headers['idempotency-key']);
  });

  it('a 409 that is not idempotency_in_progress is a ConflictError at once', async () => {
    const p = await peer(() => ({
      status: 409,
      body: problem(409, 'invalid_transition', { allowed: ['resume'] }),
    }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const err = await client.campaigns.create({ name: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).body).toMatchObject({ allowed: ['resume'] });
    expect(p.seen).toHaveLength(1);
  });

  it('honours Retry-After in seconds', async () => {
    const p = await peer(
      script([{ status: 429, body: problem(429, 'rate_limited'), headers: { 'retry-after': '1' } }], {
        status: 200,
        body: campaign,
      }),
    );
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const t0 = Date.now();
    await client.campaigns.get('cmp_1');
    const elapsed = Date.now() - t0;
    // the default first backoff is at most 500 ms
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(p.seen).toHaveLength(2);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const p = await peer((_r, n) =>
      n === 0
        ? {
            status: 503,
            body: problem(503, 'unavailable'),
            headers: { 'retry-after': new Date(Date.now() + 2500).toUTCString() },
          }
        : { status: 200, body: campaign },
    );
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const t0 = Date.now();
    await client.campaigns.get('cmp_1');
    // HTTP dates have whole seconds: now + 2.5 s rounds down to at least now + 1.5 s
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(p.seen).toHaveLength(2);
  });

  it('gives up on a 429 after the retries as RateLimitError', async () => {
    const p = await peer(() => ({
      status: 429,
      body: problem(429, 'rate_limited'),
      headers: { 'retry-after': '0' },
    }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    await expect(client.campaigns.list()).rejects.toBeInstanceOf(RateLimitError);
    expect(p.seen).toHaveLength(3);
  });

  it('retries dropped connections and then succeeds', async () => {
    const p = await peer(script([{ status: 0, destroy: true }], { status: 201, body: campaign }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const out = await client.campaigns.create({ name: 'x' });
    expect(out.id).toBe('cmp_1');
    expect(p.seen).toHaveLength(2);
    expect(p.seen[0]?.headers['idempotency-key']).toBe(p.seen[1]?.headers['idempotency-key']);
    expect(p.seen[1]?.body).toBe('{"name":"x"}');
  });

  it('APIConnectionError when nothing listens, after the retries', async () => {
    const p = await peer(() => ({ status: 200 }));
    const url = p.url;
    await p.close();
    const client = new Outreach({ apiKey: 'k', baseUrl: url, maxRetries: 1 });
    const t0 = Date.now();
    const err = await client.campaigns.get('cmp_1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APITimeoutError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350); // one backoff (0.5 s minus ≤ 25 % jitter)
  });

  it('APITimeoutError when no answer comes within timeoutMs; a slow first attempt is retried', async () => {
    const slow = await peer(() => ({ status: 200, body: campaign, delayMs: 1000 }));
    const client = new Outreach({ apiKey: 'k', baseUrl: slow.url, timeoutMs: 100, maxRetries: 0 });
    const t0 = Date.now();
    await expect(client.campaigns.get('cmp_1')).rejects.toBeInstanceOf(APITimeoutError);
    expect(Date.now() - t0).toBeLessThan(900);

    const once = await peer(
      script([{ status: 200, body: campaign, delayMs: 1000 }], { status: 200, body: campaign }),
    );
    const c2 = new Outreach({ apiKey: 'k', baseUrl: once.url, timeoutMs: 200 });
    expect((await c2.campaigns.get('cmp_1')).id).toBe('cmp_1');
    expect(once.seen).toHaveLength(2);
  });

  it("the caller's signal aborts without retrying", async () => {
    const p = await peer(() => ({ status: 200, body: campaign, delayMs: 2000 }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await expect(client.campaigns.get('cmp_1', { signal: ac.signal })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(p.seen).toHaveLength(1);
  });

  it('a 422 carries every field error', async () => {
    const errors = [
      { path: 'name', message: 'Required' },
      { path: 'priority', message: 'Invalid option' },
    ];
    const p = await peer(() => ({ status: 422, body: problem(422, 'validation_failed', { errors }) }));
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url });
    const err = await client.campaigns.create({ name: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect((err as UnprocessableEntityError).errors).toEqual(errors);
    expect((err as Error).message).toBe(
      '422 validation_failed: detail of validation_failed (name: Required; priority: Invalid option)',
    );
  });
});

describe('backoff and Retry-After parsing', () => {
  it('0.5 s·2ⁿ capped at 8 s, with up to 25 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffMs(0, () => 1)).toBe(375);
    for (let i = 0; i < 100; i++) {
      const ms = backoffMs(2);
      expect(ms).toBeGreaterThan(1500 - 1e-9);
      expect(ms).toBeLessThanOrEqual(2000);
    }
  });

  it('reads seconds, HTTP dates and retry-after-ms; ignores junk and waits over a minute', () => {
    const now = Date.parse('2026-03-09T10:00:00Z');
    const h = (init: Record<string, string>) => new Headers(init);
    expect(retryAfterMs(h({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': '0' }), now)).toBe(0);
    expect(retryAfterMs(h({ 'retry-after': 'Mon, 09 Mar 2026 10:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(h({ 'retry-after': 'Mon, 09 Mar 2026 09:59:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': '-1' }), now)).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': '3600' }), now)).toBeUndefined();
    expect(retryAfterMs(h({}), now)).toBeUndefined();
  });
});
