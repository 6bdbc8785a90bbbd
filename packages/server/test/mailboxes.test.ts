import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, SecretBox } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADDRESS, IMAP_PASSWORD, type Peers, SMTP_PASSWORD, startPeers } from './peers';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
let peers: Peers;
const stderr: string[] = [];

beforeAll(async () => {
  [t, peers] = await Promise.all([makeTestApp(), startPeers()]);
  // A real logger at debug level, its output captured: no line may ever carry a password.
  t.deps.log = createLogger('debug');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  t.close();
  await peers.close();
});

const PASSWORDS = [SMTP_PASSWORD, IMAP_PASSWORD, 'wrong-Pass-123', 'rotated-Pass-456'];
function expectNoPassword(text: string): void {
  for (const p of PASSWORDS) expect(text).not.toContain(p);
}

describe('mailbox registry', () => {
  let id: string;

  it('registers a mailbox: address lower-cased, passwords never returned', async () => {
    const res = await t.a.req('POST', '/mailboxes', { body: peers.mailboxBody() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      address: ADDRESS,
      firstName: 'John',
      lastName: 'Miller',
      dailyLimit: 40,
      status: 'unverified',
      smtp: { host: '127.0.0.1', port: peers.smtp.port, secure: false, username: ADDRESS },
      imap: { host: '127.0.0.1', port: peers.dovecot.port, secure: false, username: ADDRESS },
      lastCheck: { smtp: null, imap: null, at: null },
    });
    expect(res.body.id).toMatch(/^mbx_[0-9a-z]{26}$/);
    expect(res.body.smtp).not.toHaveProperty('password');
    expect(res.body.createdAt).toMatch(/Z$/);
    expectNoPassword(res.text);
    id = res.body.id;
  });

  it('defaults dailyLimit to 50', async () => {
    const body = { ...peers.mailboxBody({ address: 'other@cooloutreach.com' }) } as Record<string, unknown>;
    delete body.dailyLimit;
    // With an Idempotency-Key: the stored replay and fingerprint must not hold the password either.
    const headers = { 'idempotency-key': 'mbx-create-1' };
    const res = await t.a.req('POST', '/mailboxes', { body, headers });
    expect(res.status).toBe(201);
    expect(res.body.dailyLimit).toBe(50);
    const replay = await t.a.req('POST', '/mailboxes', { body, headers });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(res.body.id);
  });

  it('stores the passwords encrypted: not the password, opened only by the server key', async () => {
    const raw = await t.deps.db.client.execute({
      sql: 'SELECT smtp_password, imap_password, smtp, imap FROM mailboxes WHERE id = ?',
      args: [id],
    });
    const row = raw.rows[0]!;
    expect(row.smtp_password).not.toBe(SMTP_PASSWORD);
    expect(String(row.smtp_password)).not.toContain(SMTP_PASSWORD);
    expect(String(row.smtp)).not.toContain(SMTP_PASSWORD);
    expect(t.deps.secrets.decrypt(String(row.smtp_password))).toBe(SMTP_PASSWORD);
    expect(t.deps.secrets.decrypt(String(row.imap_password))).toBe(IMAP_PASSWORD);
    const otherKey = SecretBox.fromString('b'.repeat(64));
    expect(() => otherKey.decrypt(String(row.smtp_password))).toThrow();
    expect(() => otherKey.decrypt(String(row.imap_password))).toThrow();
    // Two encryptions of one password differ (random nonce).
    expect(row.smtp_password).not.toBe(t.deps.secrets.encrypt(SMTP_PASSWORD));
  });

  it('refuses a second mailbox with the same address in any case (409), allows it in another workspace', async () => {
    const dup = await t.a.req('POST', '/mailboxes', {
      body: peers.mailboxBody({ address: 'JOHN@cooloutreach.COM' }),
    });
    expectProblem(dup, 409, 'conflict');
    const b = await t.b.req('POST', '/mailboxes', { body: peers.mailboxBody() });
    expect(b.status).toBe(201);
  });

  it('422 names every failing field', async () => {
    const body = peers.mailboxBody({ address: 'not-an-email' }) as {
      smtp: Record<string, unknown>;
      imap: Record<string, unknown>;
    };
    body.smtp = { ...body.smtp, port: 70000 };
    body.imap = { ...body.imap, host: '' };
    const res = await t.a.req('POST', '/mailboxes', { body });
    expectProblem(res, 422, 'validation_failed', 'address');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['address', 'smtp.port', 'imap.host']));
    expectProblem(
      await t.a.req('POST', '/mailboxes', { body: { address: 'x@y.com', firstName: 'X' } }),
      422,
      'validation_failed',
      'smtp',
    );
  });

  it('verify logs in to SMTP and IMAP and stores lastCheck', async () => {
    const res = await t.a.req('POST', `/mailboxes/${id}/verify`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('verified');
    expect(res.body.lastCheck.smtp).toEqual({ ok: true });
    expect(res.body.lastCheck.imap).toEqual({ ok: true });
    expect(res.body.lastCheck.at).toMatch(/Z$/);
    const got = await t.a.req('GET', `/mailboxes/${id}`);
    expect(got.body.lastCheck).toEqual(res.body.lastCheck);
    expect(got.body.status).toBe('verified');
  });

  it('a wrong SMTP password: failing, with the server own words', async () => {
    const patched = await t.a.req('PATCH', `/mailboxes/${id}`, {
      body: { smtp: { password: 'wrong-Pass-123' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('unverified');
    expect(patched.body.lastCheck).toEqual({ smtp: null, imap: null, at: null });
    const res = await t.a.req('POST', `/mailboxes/${id}/verify`);
    expect(res.body.status).toBe('failing');
    expect(res.body.lastCheck.smtp.ok).toBe(false);
    expect(res.body.lastCheck.smtp.error).toMatch(/^535 /);
    expect(res.body.lastCheck.imap).toEqual({ ok: true });
    expectNoPassword(res.text);
  });

  it('a wrong IMAP password: failing, with the IMAP server words', async () => {
    await t.a.req('PATCH', `/mailboxes/${id}`, {
      body: { smtp: { password: SMTP_PASSWORD }, imap: { password: 'wrong-Pass-123' } },
    });
    const res = await t.a.req('POST', `/mailboxes/${id}/verify`);
    expect(res.body.status).toBe('failing');
    expect(res.body.lastCheck.smtp).toEqual({ ok: true });
    expect(res.body.lastCheck.imap.ok).toBe(false);
    expect(res.body.lastCheck.imap.error).toMatch(/AUTHENTICATIONFAILED|Authentication failed/);
  });

  it('an unreachable server fails within the timeout, naming the cause', async () => {
    const res = await t.a.req('PATCH', `/mailboxes/${id}`, {
      body: { imap: { password: IMAP_PASSWORD, port: 1 } },
    });
    expect(res.body.imap.port).toBe(1);
    const v = await t.a.req('POST', `/mailboxes/${id}/verify`);
    expect(v.body.lastCheck.imap.ok).toBe(false);
    expect(v.body.lastCheck.imap.error).toMatch(/ECONNREFUSED/);
    await t.a.req('PATCH', `/mailboxes/${id}`, { body: { imap: { port: peers.dovecot.port } } });
    expect((await t.a.req('POST', `/mailboxes/${id}/verify`)).body.status).toBe('verified');
  });

  it('patches names, signature and cap without touching the check', async () => {
    const res = await t.a.req('PATCH', `/mailboxes/${id}`, {
      body: { firstName: 'Johnny', signatureHtml: null, dailyLimit: 80 },
    });
    expect(res.body).toMatchObject({
      firstName: 'Johnny',
      signatureHtml: null,
      dailyLimit: 80,
      status: 'verified',
      address: ADDRESS,
    });
    expectProblem(
      await t.a.req('PATCH', `/mailboxes/${id}`, { body: { dailyLimit: 0 } }),
      422,
      'validation_failed',
      'dailyLimit',
    );
  });

  it('lists with a cursor', async () => {
    const first = await t.a.req('GET', '/mailboxes', { query: { limit: 1 } });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await t.a.req('GET', '/mailboxes', {
      query: { limit: 1, cursor: first.body.next_cursor },
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.next_cursor).toBeNull();
    const verified = await t.a.req('GET', '/mailboxes', { query: { status: 'verified' } });
    expect(verified.body.items.map((m: { id: string }) => m.id)).toEqual([id]);
    expectNoPassword(first.text + second.text);
  });

  it('refuses to delete an attached mailbox, deletes a detached one', async () => {
    const cmp = await t.a.req('POST', '/campaigns', { body: { name: 'Uses it' } });
    const cmb = await t.a.req('POST', `/campaigns/${cmp.body.id}/mailboxes`, {
      body: { mailboxAddress: ADDRESS, dailyLimit: 30, weight: 100 },
    });
    expect(cmb.status).toBe(201);
    const refused = await t.a.req('DELETE', `/mailboxes/${id}`);
    expectProblem(refused, 409, 'conflict');
    expect(refused.body.campaignIds).toEqual([cmp.body.id]);
    expect((await t.a.req('DELETE', `/campaigns/${cmp.body.id}/mailboxes/${cmb.body.id}`)).status).toBe(204);
    expect((await t.a.req('DELETE', `/mailboxes/${id}`)).status).toBe(204);
    expectProblem(await t.a.req('GET', `/mailboxes/${id}`), 404, 'not_found');
  });

  it('401 without a key; 403 with another workspace id; 404 for another workspace mailbox', async () => {
    const mine = await t.a.req('POST', '/mailboxes', {
      body: peers.mailboxBody({ address: 'mine@cooloutreach.com' }),
    });
    expectProblem(await t.a.req('GET', '/mailboxes', { key: null }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('POST', `/mailboxes/${mine.body.id}/verify`, { key: 'osk_nope' }),
      401,
      'unauthorized',
    );
    expectProblem(
      await t.a.req('GET', '/mailboxes', { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.a.req('POST', '/mailboxes', {
        body: peers.mailboxBody(),
        query: { workspaceId: t.b.workspaceId },
      }),
      403,
      'forbidden',
    );
    for (const [method, path, body] of [
      ['GET', `/mailboxes/${mine.body.id}`, undefined],
      ['PATCH', `/mailboxes/${mine.body.id}`, { firstName: 'Stolen' }],
      ['DELETE', `/mailboxes/${mine.body.id}`, undefined],
      ['POST', `/mailboxes/${mine.body.id}/verify`, undefined],
    ] as const) {
      expectProblem(await t.b.req(method, path, { body }), 404, 'not_found');
    }
    const list = await t.b.req('GET', '/mailboxes');
    expect(list.body.items.map((m: { id: string }) => m.id)).not.toContain(mine.body.id);
  });

  it('no password in any log line, event, or byte of the database files', async () => {
    // Registrations and every check (good and failing) were logged at debug level.
    const logged = stderr.join('');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged).toContain('mailbox checked');
    expect(logged).toContain('535');
    expectNoPassword(logged);
    const events = await t.deps.db.client.execute('SELECT data FROM events');
    expectNoPassword(events.rows.map((r) => String(r.data)).join('\n'));
    await t.deps.db.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const dbFile = readFileSync(join(t.deps.dir, 'test.db')).toString('latin1');
    expectNoPassword(dbFile);
  });
});
