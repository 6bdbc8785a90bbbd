import { afterEach, describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  Outreach,
  OutreachError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/index';
import { problem, startPeer } from './peer';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('error mapping', () => {
  it.each([
    [400, 'malformed_json', BadRequestError],
    [401, 'unauthorized', AuthenticationError],
    [403, 'forbidden', PermissionDeniedError],
    [404, 'not_found', NotFoundError],
    [409, 'invalid_transition', ConflictError],
    [413, 'payload_too_large', APIError],
    [422, 'validation_failed', UnprocessableEntityError],
    [429, 'rate_limited', RateLimitError],
    [500, 'internal_error', InternalServerError],
    [504, 'gateway_timeout', InternalServerError],
  ] as const)('%i %s → %s', async (status, code, Ctor) => {
    const p = await startPeer(() => ({
      status,
      body: problem(status, code),
      headers: { 'x-request-id': 'hdr_id' },
    }));
    close = p.close;
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, maxRetries: 0 });
    const err = await client.campaigns.get('cmp_x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Ctor);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(OutreachError);
    const e = err as APIError;
    expect(e.name).toBe(Ctor.name);
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.detail).toBe(`detail of ${code}`);
    expect(e.requestId).toBe(`req_${status}`); // the body's id wins over the header
    expect(e.headers.get('x-request-id')).toBe('hdr_id');
    expect(e.body).toMatchObject({ status, code });
    expect(e.errors).toEqual([]);
    expect(e.message).toBe(`${status} ${code}: detail of ${code}`);
  });

  it('a body that is not problem+json still gives status, text and the header request id', async () => {
    const p = await startPeer(() => ({
      status: 502,
      body: 'Bad gateway from proxy',
      headers: { 'x-request-id': 'hdr_1' },
    }));
    close = p.close;
    const client = new Outreach({ apiKey: 'k', baseUrl: p.url, maxRetries: 0 });
    const err = (await client.campaigns.list().catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.code).toBeUndefined();
    expect(err.requestId).toBe('hdr_1');
    expect(err.body).toBe('Bad gateway from proxy');
    expect(err.message).toBe('502: Bad gateway from proxy');
  });

  it('needs an API key', () => {
    const saved = process.env.OUTREACH_API_KEY;
    delete process.env.OUTREACH_API_KEY;
    try {
      expect(() => new Outreach({ baseUrl: 'http://127.0.0.1:1' })).toThrow(/Missing API key/);
      expect(() => new Outreach({ apiKey: 'k', workspaceId: 0 })).toThrow(/workspaceId/);
    } finally {
      if (saved !== undefined) process.env.OUTREACH_API_KEY = saved;
    }
  });

  it('reads OUTREACH_URL, OUTREACH_API_KEY and OUTREACH_WORKSPACE_ID when not given', async () => {
    const p = await startPeer(() => ({ status: 200, body: { items: [], next_cursor: null } }));
    close = p.close;
    const saved = { ...process.env };
    Object.assign(process.env, {
      OUTREACH_URL: `${p.url}/`,
      OUTREACH_API_KEY: 'osk_env',
      OUTREACH_WORKSPACE_ID: '9',
    });
    try {
      const client = new Outreach();
      await client.campaigns.list();
      expect(p.seen[0]?.headers.authorization).toBe('Bearer osk_env');
      expect(p.seen[0]?.url.search).toBe('?workspaceId=9');
    } finally {
      for (const k of ['OUTREACH_URL', 'OUTREACH_API_KEY', 'OUTREACH_WORKSPACE_ID']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
