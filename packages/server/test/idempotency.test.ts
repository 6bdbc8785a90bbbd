import { schema } from '@outreach/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyDigest, digestBody, digestingBody } from '../src/lib/request-fingerprint';
import { call, expectProblem, makeTestApp, type TestApp } from './support';

const ADMIN = 'admin-token-for-tests-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ config: { adminToken: ADMIN } });
});
afterAll(() => t.close());

const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(t.app, method, path, { key: ADMIN, body, headers });

async function records(key: string) {
  return t.deps.db.orm.select().from(schema.idempotencyKeys).where(eq(schema.idempotencyKeys.key, key));
}

describe('no secret at rest in idempotency records', () => {
  it('POST /api-keys with a key: the record holds no API key; a replay is 409 idempotency_secret_not_replayable', async () => {
    const path = `/api-keys?workspace_id=${t.b.workspaceId}`;
    const headers = { 'idempotency-key': 'key-create-1' };
    const first = await admin('POST', path, { name: 'ci' }, headers);
    expect(first.status).toBe(201);
    const secret: string = first.body.api_key;
    expect(secret).toMatch(/^osk_/);

    const [row] = await records('key-create-1');
    expect(row).toBeDefined();
    expect(row!.fingerprint).not.toBe('');
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(4));
    // Nowhere else in the database either (the api_keys row keeps a hash).
    const dump = await t.deps.db.client.execute(
      "SELECT group_concat(coalesce(response_body, ''), '|') AS all_bodies FROM idempotency_keys",
    );
    expect(String(dump.rows[0]!.all_bodies)).not.toContain(secret);

    const again = await admin('POST', path, { name: 'ci' }, headers);
    expectProblem(again, 409, 'idempotency_secret_not_replayable');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).not.toContain(secret);
    expect(again.body.firstResponse).toEqual({
      status: 201,
      body: {
        name: 'ci',
        workspace_id: t.b.workspaceId,
        expiration_date: first.body.expiration_date,
      },
    });
    // One key was made, and it works.
    const keys = await admin('GET', `/api-keys?workspace_id=${t.b.workspaceId}`);
    expect(keys.body.items.filter((k: any) => k.name === 'ci')).toHaveLength(1);
    expect((await call(t.app, 'GET', '/campaigns', { key: secret })).status).toBe(200);
    // Another request with the key is still a conflict.
    expectProblem(await admin('POST', path, { name: 'other' }, headers), 409, 'idempotency_conflict');
  });

  it('answers without a secret (errors) are kept and replayed as they were', async () => {
    const headers = { 'idempotency-key': 'key-create-missing' };
    const first = await admin('POST', '/api-keys?workspace_id=999999', {}, headers);
    expectProblem(first, 404, 'not_found');
    const again = await admin('POST', '/api-keys?workspace_id=999999', {}, headers);
    expectProblem(again, 404, 'not_found');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

/** A multipart upload body whose end is held back until `release()`. */
function heldUpload(campaignId: string, csv: string) {
  const boundary = `held${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="campaignId"\r\n\r\n${campaignId}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      pulls++;
      if (pulls === 1) controller.enqueue(new TextEncoder().encode(head + csv));
      else {
        await released;
        controller.enqueue(new TextEncoder().encode(tail));
        controller.close();
      }
    },
  });
  return { body, boundary, release, pulls: () => pulls };
}

describe('keyed uploads stream through the fingerprint', () => {
  it('the handler reads the body while it arrives; the same key meanwhile is 409 in progress; then it replays', async () => {
    const id = (await t.a.req('POST', '/campaigns', { body: { name: 'held' } })).body.id;
    const csv = 'email\nheld@acme.com\n';
    const held = heldUpload(id, csv);
    const pending = t.app.request(`/imports?workspaceId=${t.a.workspaceId}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.a.apiKey}`,
        'idempotency-key': 'held-1',
        'content-type': `multipart/form-data; boundary=${held.boundary}`,
      },
      body: held.body,
      duplex: 'half',
    } as RequestInit);
    // The first chunk went into the handler before the body ended (no read-to-the-end first).
    for (let i = 0; i < 100 && held.pulls() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.pulls()).toBe(2);
    const [row] = await records('held-1');
    expect(row).toMatchObject({ fingerprint: '', status: null });

    const fd = new FormData();
    fd.append('campaignId', id);
    fd.append('file', new Blob([csv], { type: 'text/csv' }), 'leads.csv');
    const during = await t.a.req('POST', '/imports', { raw: fd, headers: { 'idempotency-key': 'held-1' } });
    expectProblem(during, 409, 'idempotency_in_progress');

    held.release();
    const first = await pending;
    expect(first.status).toBe(202);
    const firstBody = await first.json();
    // Same fields and file bytes with another boundary: the replay.
    const again = await t.a.req('POST', '/imports', { raw: fd, headers: { 'idempotency-key': 'held-1' } });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(firstBody);
    const other = new FormData();
    other.append('campaignId', id);
    other.append('file', new Blob([`${csv}x@acme.com\n`], { type: 'text/csv' }), 'leads.csv');
    expectProblem(
      await t.a.req('POST', '/imports', { raw: other, headers: { 'idempotency-key': 'held-1' } }),
      409,
      'idempotency_conflict',
    );
  });

  it('a handler that answers without reading the body: the fingerprint still covers all of it', async () => {
    const fd = (csv: string) => {
      const f = new FormData();
      f.append('campaignId', 'cmp_missing');
      f.append('file', new Blob([csv], { type: 'text/csv' }), 'x.csv');
      return f;
    };
    const headers = { 'idempotency-key': 'unread-1' };
    const first = await t.a.req('POST', '/imports', { raw: fd('email\na@b.io\n'), headers });
    expect(first.status).toBe(404);
    const same = await t.a.req('POST', '/imports', { raw: fd('email\na@b.io\n'), headers });
    expect(same.status).toBe(404);
    expect(same.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(
      await t.a.req('POST', '/imports', { raw: fd('email\nc@d.io\n'), headers }),
      409,
      'idempotency_conflict',
    );
  });

  it('a malformed multipart body is answered 400 and leaves the key free', async () => {
    const res = await t.a.req('POST', '/imports', {
      raw: '--zz\r\nno headers here',
      headers: { 'idempotency-key': 'bad-multipart', 'content-type': 'multipart/form-data; boundary=zz' },
    });
    expect(res.status).toBe(400);
    expect(await records('bad-multipart')).toHaveLength(0);
  });

  it('digestingBody: pulls the source only as the reader reads; drain() completes the digest', async () => {
    const chunks = ['{"b":1,', '"a":[1,', '2]}'].map((s) => new TextEncoder().encode(s));
    let produced = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (produced < chunks.length) c.enqueue(chunks[produced++]!);
          else c.close();
        },
      },
      { highWaterMark: 0 },
    );
    const digest = new BodyDigest('application/json');
    const { stream, drain } = digestingBody(source, digest);
    const reader = stream.getReader();
    await reader.read();
    expect(produced).toBe(1);
    reader.releaseLock();
    await drain();
    expect(produced).toBe(3);
    const whole = await digestBody(
      new Request('http://x/', {
        method: 'POST',
        body: '{"a":[1,2],"b":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(digest.finish()).toBe(whole);
  });
});
