/**
 * The SDK's client surface against a real server (createApp on a port): APIPromise, errors as
 * classes and statics, client.http through the same middleware, options and their old names,
 * withOptions, User-Agent, the admin resources.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import Outreach, {
  APIPromise,
  type Campaign,
  InvalidResponseError,
  NotFoundError,
  OutreachError,
  PermissionDeniedError,
  VERSION,
} from '@outreach/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

const ADMIN_TOKEN = 'admin-token-for-sdk-tests';
let t: TestApp;
let server: ReturnType<typeof serve>;
let baseURL: string;
let client: Outreach;

/** A fetch that records what the SDK sent, then passes it to the real server. */
function recording(answerFirst?: Response) {
  const seen: Request[] = [];
  let first = answerFirst;
  const fetch = async (req: Request) => {
    seen.push(req.clone());
    if (first) {
      const r = first;
      first = undefined;
      return r;
    }
    return globalThis.fetch(req);
  };
  return { seen, fetch };
}

beforeAll(async () => {
  t = await makeTestApp({ config: { adminToken: ADMIN_TOKEN } });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new Outreach({ apiKey: t.a.apiKey, baseURL, workspaceId: t.a.workspaceId });
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  t.close();
});

describe('APIPromise', () => {
  it('await gives the data; withResponse the data, Response and request id; asResponse the raw Response', async () => {
    const pending = client.campaigns.create({ name: 'Promise', priority: 'LOW' });
    expect(pending).toBeInstanceOf(APIPromise);
    const created: Campaign = await pending;
    expect(created).toMatchObject({ name: 'Promise', priority: 'LOW', status: 'draft' });

    const { data, response, requestId } = await client.campaigns.get(created.id).withResponse();
    expect(data.id).toBe(created.id);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(requestId).toBe(response.headers.get('x-request-id'));
    expect(requestId).toMatch(/\S/);

    const raw = await client.campaigns.get(created.id).asResponse();
    expect(raw.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await raw.json()) as Campaign).id).toBe(created.id); // body left unread for the caller

    // results are the wire JSON: no hidden fields, no symbols, no prototype of ours
    const wire = (await (
      await fetch(`${baseURL}/campaigns/${created.id}`, {
        headers: { authorization: `Bearer ${t.a.apiKey}` },
      })
    ).json()) as object;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Reflect.ownKeys(data)).toEqual(Object.keys(wire));
    expect(JSON.parse(JSON.stringify(data))).toEqual(wire);
  });

  it('an error status rejects await, withResponse and asResponse alike', async () => {
    const call = () => client.campaigns.get('cmp_missing');
    await expect(call()).rejects.toBeInstanceOf(NotFoundError);
    await expect(call().withResponse()).rejects.toBeInstanceOf(NotFoundError);
    await expect(call().asResponse()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a 2xx body that is not JSON is an InvalidResponseError (an OutreachError), never a SyntaxError', async () => {
    // /docs answers 200 text/html: asked as JSON it must not escape as a SyntaxError
    const err = await client.request('get', '/docs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toBeInstanceOf(OutreachError);
    expect(err).toMatchObject({ status: 200 });
    expect((err as InvalidResponseError).body).toContain('<');

    // a 200 that claims JSON but is cut short
    const broken = new Outreach({
      apiKey: t.a.apiKey,
      baseURL,
      fetch: async () =>
        new Response('{"id": "cmp_', { status: 200, headers: { 'content-type': 'application/json' } }),
    });
    const e2 = await broken.campaigns.get('cmp_1').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Outreach.InvalidResponseError);
    expect((e2 as Error).cause).toBeInstanceOf(SyntaxError);
    // and through client.http (openapi-fetch parses there): the same error class
    const e3 = await broken.http
      .GET('/campaigns/{id}', { params: { path: { id: 'cmp_1' } } })
      .catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(InvalidResponseError);
  });
});

describe('errors', () => {
  it('every error class is also a static of Outreach', () => {
    expect(Outreach.NotFoundError).toBe(NotFoundError);
    expect(Outreach.PermissionDeniedError).toBe(PermissionDeniedError);
    for (const name of [
      'APIError',
      'AuthenticationError',
      'ConflictError',
      'UnprocessableEntityError',
      'RateLimitError',
      'InternalServerError',
      'APIConnectionError',
      'APITimeoutError',
      'APIUserAbortError',
      'BadRequestError',
      'OutreachError',
    ] as const) {
      expect(typeof Outreach[name], name).toBe('function');
    }
    expect(Outreach.Outreach).toBe(Outreach);
  });
});

describe('client.http', () => {
  it('applies workspaceId, auth and error classes like the resource methods', async () => {
    const mine = await client.campaigns.create({ name: 'Via resources' });
    const { data, response } = await client.http.GET('/campaigns/{id}', {
      params: { path: { id: mine.id } },
    });
    expect(data?.name).toBe('Via resources');
    expect(new URL(response.url).searchParams.get('workspaceId')).toBe(String(t.a.workspaceId));
    // the client's workspaceId reaches the server: a's key with b's workspace → 403
    const wrong = new Outreach({ apiKey: t.a.apiKey, baseURL, workspaceId: t.b.workspaceId });
    await expect(wrong.http.GET('/campaigns')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(wrong.campaigns.list()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(
      client.http.GET('/campaigns/{id}', { params: { path: { id: 'cmp_missing' } } }),
    ).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('retries like the resource methods', async () => {
    const rec = recording(
      new Response('{"code":"unavailable"}', { status: 503, headers: { 'retry-after': '0' } }),
    );
    const retrying = new Outreach({ apiKey: t.a.apiKey, baseURL, fetch: rec.fetch });
    const { data } = await retrying.http.GET('/campaigns');
    expect(data?.items).toBeInstanceOf(Array);
    expect(rec.seen).toHaveLength(2);
  });
});

describe('options', () => {
  it('baseURL, timeout, maxRetries, defaultHeaders, defaultQuery, fetch and logLevel; the old names still work', async () => {
    const rec = recording();
    const lines: string[] = [];
    const log = (s: string) => lines.push(s);
    const c = new Outreach({
      apiKey: t.a.apiKey,
      baseURL: `${baseURL}/`,
      timeout: 5000,
      maxRetries: 0,
      defaultHeaders: { 'X-Team': 'growth' },
      defaultQuery: { status: 'draft' },
      fetch: rec.fetch,
      logLevel: 'debug',
      logger: { debug: log, info: log, warn: log, error: log },
    });
    expect(c).toMatchObject({ baseURL, timeout: 5000, maxRetries: 0, logLevel: 'debug' });
    await c.campaigns.list();
    const sent = rec.seen[0]!;
    expect(sent.headers.get('x-team')).toBe('growth');
    expect(sent.headers.get('user-agent')).toBe(`outreach-sdk-node/${VERSION}`);
    expect(sent.headers.get('authorization')).toBe(`Bearer ${t.a.apiKey}`);
    expect(new URL(sent.url).searchParams.get('status')).toBe('draft');
    expect(lines.some((l) => /GET \/campaigns/.test(l))).toBe(true);

    const old = new Outreach({ apiKey: t.a.apiKey, baseUrl: baseURL, timeoutMs: 1234 });
    expect(old).toMatchObject({ baseURL, timeout: 1234 });
    expect((await old.campaigns.list()).items.length).toBeGreaterThan(0);
    expect(() => new Outreach({ apiKey: 'k', logLevel: 'loud' as never })).toThrow(OutreachError);
  });

  it('withOptions makes a client with some options changed', async () => {
    const rec = recording(new Response('{}', { status: 503 }));
    const strict = client.withOptions({ maxRetries: 0, fetch: rec.fetch });
    expect(strict).not.toBe(client);
    expect(strict).toMatchObject({ maxRetries: 0, baseURL, workspaceId: t.a.workspaceId });
    await expect(strict.campaigns.list()).rejects.toMatchObject({ status: 503 });
    expect(rec.seen).toHaveLength(1);
    expect(client.maxRetries).toBe(2);
  });

  it('User-Agent names the SDK version, which is the package version', () => {
    const pkg = JSON.parse(
      readFileSync(join(resolve(import.meta.dirname, '../../sdk'), 'package.json'), 'utf8'),
    );
    expect(VERSION).toBe(pkg.version);
    expect(Outreach.VERSION).toBe(pkg.version);
  });

  it('overloads accept widened boolean and union arguments', async () => {
    const cmp = await client.campaigns.create({ name: 'Overloads' });
    const flag: boolean = cmp.name.length < 0;
    // LaunchParams with a plain boolean `async` compiles and answers Launched | LaunchQueued
    await expect(client.campaigns.launch(cmp.id, { async: flag })).rejects.toMatchObject({
      code: 'preflight_failed',
    });
    const kind = (flag ? 'contacts' : 'summary') as 'summary' | 'contacts' | 'sends';
    const exported = await client.campaigns.export(cmp.id, { kind });
    expect(typeof exported).toBe('object'); // the summary (JSON), since kind was 'summary'
    expect(typeof (await client.campaigns.export(cmp.id, { kind: 'contacts' }))).toBe('string');
  });
});

describe('admin resources', () => {
  it('workspaces and apiKeys with the admin token', async () => {
    const admin = new Outreach({ apiKey: ADMIN_TOKEN, baseURL, workspaceId: 999 });
    const ws = await admin.workspaces.create({ project_name: 'From the SDK' });
    expect(ws).toMatchObject({ project_name: 'From the SDK' });
    const all = await admin.workspaces.list();
    expect(all.items.map((w) => w.workspace_id)).toContain(ws.workspace_id);

    const key = await admin.apiKeys.create(ws.workspace_id, { name: 'sdk' });
    expect(key.api_key).toMatch(/^osk_/);
    const user = new Outreach({ apiKey: key.api_key, baseURL });
    expect((await user.campaigns.create({ name: 'New ws' })).workspaceId).toBe(ws.workspace_id);

    const keys = await admin.apiKeys.list(ws.workspace_id);
    expect(keys.items).toHaveLength(1);
    expect(JSON.stringify(keys.items)).not.toContain(key.api_key);
    await admin.apiKeys.delete(keys.items[0]!.id);
    await expect(user.campaigns.list()).rejects.toBeInstanceOf(Outreach.AuthenticationError);
    await expect(client.workspaces.list()).rejects.toBeInstanceOf(Outreach.AuthenticationError);
  });
});
