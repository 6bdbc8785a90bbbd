/**
 * Mailbox hosts follow the webhook SSRF rule: with OUTREACH_MAILBOX_ALLOW_PRIVATE off (the
 * default), private/loopback/link-local/CGNAT/ULA hosts are refused at create, at update and
 * at every login check; logins connect to the checked address; non-mail banners never reach
 * `lastCheck`.
 */
import net from 'node:net';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

const ADDRESS = 'ssrf@cooloutreach.com';
const PASSWORD = 'smtp-Secret-ssrf-1';
let t: TestApp;
let smtp: TestSmtpServer;
/** A TCP service that is not a mail server: counts connections, greets with an SSH banner. */
let banner: net.Server;
let bannerPort: number;
let bannerConnections = 0;

beforeAll(async () => {
  [t, smtp] = await Promise.all([
    makeTestApp({ config: { mailboxAllowPrivate: false } }),
    startSmtpServer({ users: { [ADDRESS]: PASSWORD } }),
  ]);
  banner = net.createServer((s) => {
    bannerConnections++;
    s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
    s.on('data', () => s.write('Protocol mismatch.\r\n'));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => banner.listen(0, '127.0.0.1', () => r()));
  bannerPort = (banner.address() as net.AddressInfo).port;
});
afterAll(async () => {
  t.close();
  await smtp.close();
  await new Promise((r) => banner.close(r));
});

const allowPrivate = (on: boolean) => {
  t.deps.config.mailboxAllowPrivate = on;
};

function body(smtpHost: string, imapHost: string, o: { address?: string; smtpPort?: number } = {}) {
  return {
    address: o.address ?? ADDRESS,
    firstName: 'S',
    smtp: {
      host: smtpHost,
      port: o.smtpPort ?? smtp.port,
      secure: false,
      username: ADDRESS,
      password: PASSWORD,
    },
    imap: { host: imapHost, port: 1, secure: false, username: ADDRESS, password: 'x' },
  };
}

describe('mailbox hosts: the SSRF rule (flag off)', () => {
  it('create: private, loopback, link-local, CGNAT, ULA hosts → 422 naming smtp.host / imap.host', async () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      '10.0.0.5',
      '169.254.169.254',
      '100.64.0.1',
      'fd00::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      const res = await t.a.req('POST', '/mailboxes', { body: body(host, '93.184.215.14') });
      expectProblem(res, 422, 'validation_failed', 'smtp.host');
      expect(res.body.detail).toContain('OUTREACH_MAILBOX_ALLOW_PRIVATE');
      expectProblem(
        await t.a.req('POST', '/mailboxes', { body: body('93.184.215.14', host) }),
        422,
        'validation_failed',
        'imap.host',
      );
    }
    const both = await t.a.req('POST', '/mailboxes', { body: body('127.0.0.1', '192.168.1.10') });
    expect(both.body.errors.map((e: any) => e.path)).toEqual(['smtp.host', 'imap.host']);
    expect((await t.a.req('GET', '/mailboxes')).body.items).toEqual([]);
  });

  it('update: moving a host to a private address → 422; a public one is accepted', async () => {
    const created = await t.a.req('POST', '/mailboxes', {
      body: body('93.184.215.14', '93.184.215.14', { address: 'pub@cooloutreach.com' }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expectProblem(
      await t.a.req('PATCH', `/mailboxes/${id}`, { body: { smtp: { host: '127.0.0.1' } } }),
      422,
      'validation_failed',
      'smtp.host',
    );
    expectProblem(
      await t.a.req('PATCH', `/mailboxes/${id}`, {
        body: { imap: { host: '10.20.30.40' } },
      }),
      422,
      'validation_failed',
      'imap.host',
    );
    expect((await t.a.req('GET', `/mailboxes/${id}`)).body.smtp.host).toBe('93.184.215.14');
  });

  it('verify: a mailbox whose host is private now is refused without connecting (no open/closed oracle)', async () => {
    // Registered while the deployment allowed private hosts; the flag is off again at verify.
    allowPrivate(true);
    const created = await t.a.req('POST', '/mailboxes', {
      body: body('127.0.0.1', '127.0.0.1', { address: 'old@cooloutreach.com', smtpPort: bannerPort }),
    });
    expect(created.status).toBe(201);
    allowPrivate(false);
    const before = bannerConnections;
    const v = await t.a.req('POST', `/mailboxes/${created.body.id}/verify`);
    expect(v.status).toBe(200);
    expect(v.body.status).toBe('failing');
    expect(v.body.lastCheck.smtp).toEqual({ ok: false, error: expect.stringContaining('loopback') });
    expect(v.body.lastCheck.imap).toEqual({ ok: false, error: expect.stringContaining('loopback') });
    expect(bannerConnections).toBe(before);
    // A closed port answers the same: nothing tells open from closed.
    allowPrivate(true);
    const closed = await t.a.req('POST', '/mailboxes', {
      body: body('127.0.0.1', '127.0.0.1', { address: 'closed@cooloutreach.com', smtpPort: 1 }),
    });
    allowPrivate(false);
    const vc = await t.a.req('POST', `/mailboxes/${closed.body.id}/verify`);
    expect(vc.body.lastCheck.smtp).toEqual(v.body.lastCheck.smtp);
    expect(JSON.stringify([v.body, vc.body])).not.toMatch(/ECONNREFUSED|SSH|OpenSSH/);
  });
});

describe('mailbox hosts with OUTREACH_MAILBOX_ALLOW_PRIVATE=true', () => {
  it('a name is resolved once and the login goes to its address (localhost → 127.0.0.1)', async () => {
    allowPrivate(true);
    try {
      const created = await t.a.req('POST', '/mailboxes', {
        body: body('localhost', 'localhost', { address: 'local@cooloutreach.com' }),
      });
      expect(created.status).toBe(201);
      expect(created.body.smtp.host).toBe('localhost');
      const v = await t.a.req('POST', `/mailboxes/${created.body.id}/verify`);
      expect(v.body.lastCheck.smtp).toEqual({ ok: true });
    } finally {
      allowPrivate(false);
    }
  });

  it('a port that is not a mail server: its banner never reaches the error', async () => {
    allowPrivate(true);
    try {
      const created = await t.a.req('POST', '/mailboxes', {
        body: body('127.0.0.1', '127.0.0.1', { address: 'ssh@cooloutreach.com', smtpPort: bannerPort }),
      });
      const v = await t.a.req('POST', `/mailboxes/${created.body.id}/verify`);
      expect(v.body.lastCheck.smtp.ok).toBe(false);
      expect(v.body.lastCheck.smtp.error).toContain('did not answer like an SMTP server');
      expect(JSON.stringify(v.body)).not.toMatch(/SSH|OpenSSH|Debian|Protocol mismatch/);
    } finally {
      allowPrivate(false);
    }
  });
});
