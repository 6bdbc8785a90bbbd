import {
  AppError,
  addContactsJson,
  CUSTOM_JSON_MAX_DEPTH,
  JSON_MAX_DEPTH,
  jsonDepthExcess,
  valueDepth,
} from '@outreach/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
let campaignId: string;
beforeAll(async () => {
  t = await makeTestApp();
  const res = await t.a.req('POST', '/campaigns', { body: { name: 'deep' } });
  campaignId = res.body.id;
});
afterAll(() => t.close());

/** `{"a":{"a":…1…}}` `depth` deep, built as text (JSON.stringify would itself recurse). */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const post = (path: string, raw: string) =>
  t.a.req('POST', path, { raw, headers: { 'content-type': 'application/json' } });

describe('jsonDepthExcess', () => {
  it('finds the first container over the limit and its path, without parsing', () => {
    expect(jsonDepthExcess('{"a":[1,{"b":2}]}', 3)).toBeNull();
    expect(jsonDepthExcess('{"a":[1,{"b":[]}]}', 3)).toEqual({ path: 'a.1.b', max: 3 });
    expect(jsonDepthExcess('[[[[]]]]', 2)).toEqual({ path: '0.0', max: 2 });
    expect(jsonDepthExcess('{"x\\"{[":"}]{[","y.z":{"q":{}}}', 2)).toEqual({ path: 'y.z.q', max: 2 });
    expect(jsonDepthExcess(deepArray(100_000), 32)?.path).toBe(Array(32).fill('0').join('.'));
    expect(jsonDepthExcess('{"a": not json', 32)).toBeNull(); // left for JSON.parse to report
  });

  it('measures parsed values without recursion', () => {
    expect(valueDepth(1)).toBe(0);
    expect(valueDepth({})).toBe(1);
    expect(valueDepth({ a: [1, { b: {} }] })).toBe(4);
    expect(valueDepth(JSON.parse(deepArray(5000)), 40)).toBe(41); // stops past the cap
  });
});

describe('deep JSON bodies', () => {
  it('customJson nested 1,000 deep → 422 naming the path (was 500 malformed JSON from SQLite)', async () => {
    const body = `{"contacts":[{"email":"deep@x.test","customJson":${deepObject(1000)}}]}`;
    const res = await post(`/campaigns/${campaignId}/contacts`, body);
    expectProblem(res, 422, 'validation_failed');
    expect(res.body.errors[0].path).toBe(`contacts.0.customJson${'.a'.repeat(JSON_MAX_DEPTH - 3)}`);
  });

  it('a 2 KB body nested 100,000 deep → 422, not a stack overflow (contacts, preview, any JSON route)', async () => {
    const arrays = deepArray(100_000);
    for (const [path, body] of [
      [
        `/campaigns/${campaignId}/contacts`,
        `{"contacts":[{"email":"d@x.test","customJson":{"a":${arrays}}}]}`,
      ],
      ['/campaigns/steps/preview', `{"step":{"subject":"s","bodyHtml":"b"},"contact":{"x":${arrays}}}`],
      ['/campaigns', `{"name":${arrays}}`],
      [`/campaigns/${campaignId}/steps`, arrays],
    ] as const) {
      const res = await post(path, body);
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors).toHaveLength(1);
    }
    const patch = await t.a.req('PATCH', `/campaigns/${campaignId}`, {
      raw: `{"name":${deepObject(50_000)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(patch, 422, 'validation_failed', `name${'.a'.repeat(JSON_MAX_DEPTH - 1)}`);
  });

  it('customJson deeper than its own limit, within the body limit → 422 naming customJson', async () => {
    const custom = deepObject(CUSTOM_JSON_MAX_DEPTH + 1);
    const add = await post(
      `/campaigns/${campaignId}/contacts`,
      `{"contacts":[{"email":"c@x.test","customJson":${custom}}]}`,
    );
    expectProblem(add, 422, 'validation_failed', 'contacts.0.customJson');
    const ok = await post(
      `/campaigns/${campaignId}/contacts`,
      `{"contacts":[{"email":"c@x.test","customJson":${deepObject(CUSTOM_JSON_MAX_DEPTH - 1)}}]}`,
    );
    expect(ok.status).toBe(200);
    const list = await t.a.req('GET', `/campaigns/${campaignId}/contacts`);
    const contactId = list.body.items.find((c: { email: string }) => c.email === 'c@x.test').id;
    const patch = await t.a.req('PATCH', `/campaigns/${campaignId}/contacts/${contactId}`, {
      raw: `{"customJson":${custom}}`,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(patch, 422, 'validation_failed', 'customJson');
    const preview = await post(
      '/campaigns/steps/preview',
      `{"step":{"subject":"s","bodyHtml":"b"},"contact":{"customJson":${custom}}}`,
    );
    expectProblem(preview, 422, 'validation_failed', 'contact.customJson');
  });

  it('the services refuse a too-deep customJson too (callers other than the HTTP API)', async () => {
    const deep = JSON.parse(deepObject(CUSTOM_JSON_MAX_DEPTH + 5)) as Record<string, unknown>;
    const err = await addContactsJson(
      t.deps.db,
      t.a.workspaceId,
      campaignId,
      [{ email: 's@x.test', customJson: deep }],
      0,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).extra.errors).toEqual([
      { path: 'contacts.0.customJson', message: expect.any(String) },
    ]);
  });

  it('keeps working JSON bodies (and idempotent replays) as they were', async () => {
    const body = { name: 'fine', priority: 'HIGH' };
    const first = await t.a.req('POST', '/campaigns', { body, headers: { 'idempotency-key': 'deep-1' } });
    expect(first.status).toBe(201);
    const again = await t.a.req('POST', '/campaigns', { body, headers: { 'idempotency-key': 'deep-1' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expectProblem(await post('/campaigns', '{"name": '), 400, 'malformed_json');
  });
});

describe('deep JSON bodies (property)', () => {
  it('random deep bodies answer 422 (or a normal answer when shallow), never 500', async () => {
    const shape = fc.array(fc.constantFrom('obj', 'arr'), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4000 }),
        shape,
        fc.constantFrom('contacts', 'preview', 'campaign'),
        async (depth, kinds, route) => {
          let open = '';
          let close = '';
          for (let i = 0; i < depth; i++) {
            const k = kinds[i % kinds.length];
            open += k === 'obj' ? `{"k${i % 3}":` : '[0,';
            close = (k === 'obj' ? '}' : ']') + close;
          }
          const nestedValue = `${open}1${close}`;
          const [path, body] =
            route === 'contacts'
              ? [
                  `/campaigns/${campaignId}/contacts`,
                  `{"contacts":[{"email":"p@x.test","customJson":{"v":${nestedValue}}}]}`,
                ]
              : route === 'preview'
                ? [
                    '/campaigns/steps/preview',
                    `{"step":{"subject":"s","bodyHtml":"{{v}}"},"contact":{"v":${nestedValue}}}`,
                  ]
                : ['/campaigns', `{"name":"n","extra":${nestedValue}}`];
          const res = await post(path, body);
          expect(res.status).toBeLessThan(500);
          if (depth + 4 > JSON_MAX_DEPTH) expect(res.status).toBe(422);
        },
      ),
      { seed: 20261201, numRuns: 120 },
    );
  });
});
