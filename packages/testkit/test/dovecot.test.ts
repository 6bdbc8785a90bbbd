import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type TestDovecot } from '../src/index';

let a: TestDovecot;
let b: TestDovecot;

beforeAll(async () => {
  [a, b] = await Promise.all([
    startDovecot({ alice: 'secret-a' }),
    startDovecot({ bob: 'secret-b', carol: 'c' }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const raw = [
  'From: Prospect <prospect@example.org>',
  'To: alice@example.com',
  'Subject: Re: quick question',
  'Message-ID: <reply-1@example.org>',
  'In-Reply-To: <orig-1@outreach.test>',
  'References: <orig-1@outreach.test>',
  'Date: Fri, 27 Nov 2026 10:00:00 +0000',
  '',
  'Sounds good, let us talk.',
  '',
].join('\r\n');

describe('startDovecot', () => {
  it('runs two separate instances', () => {
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
  });

  it('logs in with the right password and refuses a wrong one', async () => {
    const ok = new ImapFlow(a.imapOptions('alice'));
    await ok.connect();
    expect(ok.authenticated).toBeTruthy();
    await ok.logout();

    const bad = new ImapFlow({ ...a.imapOptions('alice'), auth: { user: 'alice', pass: 'nope' } });
    bad.on('error', () => {});
    await expect(bad.connect()).rejects.toMatchObject({ authenticationFailed: true });
    bad.close();

    // users of one instance do not exist in the other
    const other = new ImapFlow({ ...b.imapOptions('bob'), auth: { user: 'alice', pass: 'secret-a' } });
    other.on('error', () => {});
    await expect(other.connect()).rejects.toThrow();
    other.close();
  });

  it('appends a message and fetches it back', async () => {
    const uid1 = await b.append('bob', raw);
    const uid2 = await b.append('bob', raw.replace('reply-1', 'reply-2'), ['\\Seen']);
    expect(uid2).toBeGreaterThan(uid1);

    const client = new ImapFlow(b.imapOptions('bob'));
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const msg = await client.fetchOne(
        String(uid1),
        { envelope: true, source: true, flags: true },
        { uid: true },
      );
      expect(msg).toBeTruthy();
      if (!msg) return;
      expect(msg.envelope?.subject).toBe('Re: quick question');
      expect(msg.envelope?.inReplyTo).toBe('<orig-1@outreach.test>');
      expect(msg.source?.toString()).toContain('Sounds good');
      const second = await client.fetchOne(String(uid2), { flags: true }, { uid: true });
      expect(second && [...(second.flags ?? [])]).toContain('\\Seen');
    } finally {
      lock.release();
      await client.logout();
    }
    // carol's mailbox is separate
    const carol = new ImapFlow(b.imapOptions('carol'));
    await carol.connect();
    const status = await carol.status('INBOX', { messages: true });
    expect(status ? status.messages : -1).toBe(0);
    await carol.logout();
  });

  it('stop() shuts the daemon down and removes its folder', async () => {
    const c = await startDovecot({ dave: 'd' });
    const { existsSync, readFileSync } = await import('node:fs');
    const pid = Number(readFileSync(`${c.dir}/run/master.pid`, 'utf8'));
    await c.stop();
    expect(existsSync(c.dir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
