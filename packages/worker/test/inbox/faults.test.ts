/**
 * The inbox loop's faults against a real dovecot: UIDVALIDITY change, the same message twice,
 * a connection dropped mid-fetch, a wrong password, a big mailbox on its first read, the
 * `\Junk` folder, and two workers on one database.
 */
import { createServer, type Server, Socket } from 'node:net';
import { type Deps, type Logger, openDb } from '@outreach/shared';
import { startDovecot, type TestDovecot } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxLoop } from '../../src/loops/inbox';
import { PASSWORD, pollNow, rawMail, rows, seedMailbox, seedSent } from './support';

const USERS = ['uv', 'dup', 'drop', 'pw', 'big', 'junk', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'].map(
  (u) => `${u}@acme.test`,
);
let dovecot: TestDovecot;
let deps: TestDeps;
let workspaceId: number;

beforeAll(async () => {
  dovecot = await startDovecot(Object.fromEntries(USERS.map((u) => [u, PASSWORD])));
  deps = await createTestDeps();
  ({ workspaceId } = await createTestWorkspace(deps));
}, 60_000);

afterAll(async () => {
  await dovecot?.stop();
  deps?.cleanup();
});

async function mailboxWith(
  address: string,
  emails: string[],
  opts: { port?: number; password?: string } = {},
) {
  const mailboxId = await seedMailbox(
    deps,
    { port: opts.port ?? dovecot.port },
    {
      workspaceId,
      address,
      password: opts.password,
      createdAt: Date.now() - 2000,
    },
  );
  const seeded = await seedSent(deps, { workspaceId, mailboxId, emails });
  return { mailboxId, seeded };
}

const replyTo = (
  from: string,
  to: string,
  messageId: string,
  text = 'Sounds good, tell me more.',
  id?: string,
) => rawMail({ from, to, subject: 'Re: Quick question', text, inReplyTo: messageId, messageId: id });

const count = async (sql: string, args: (string | number)[]) =>
  Number((await rows<{ n: number }>(deps, sql, args))[0]!.n);

describe('inbox faults', () => {
  it('survives a UIDVALIDITY change: re-read by date, the stored reply not doubled, the new one stored', async () => {
    const box = USERS[0]!;
    const { mailboxId, seeded } = await mailboxWith(box, ['a@p.test', 'b@p.test']);
    await dovecot.append(box, replyTo('a@p.test', box, seeded.sends[0]![0]!.messageId));
    await pollNow(deps);
    expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(1);
    await dovecot.setUidValidity(box, 'INBOX', 777_777);
    await dovecot.append(box, replyTo('b@p.test', box, seeded.sends[1]![0]!.messageId));
    await pollNow(deps);
    expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(2);
    expect(
      await count("SELECT count(*) AS n FROM events WHERE type = 'reply.received' AND campaign_id = ?", [
        seeded.campaignId,
      ]),
    ).toBe(2);
    const cursor = await rows<{ uid_validity: string }>(
      deps,
      "SELECT uid_validity FROM imap_folders WHERE mailbox_id = ? AND path = 'INBOX'",
      [mailboxId],
    );
    expect(cursor[0]!.uid_validity).toBe('777777');
  });

  it('the same message APPENDed twice is stored once', async () => {
    const box = USERS[1]!;
    const { mailboxId, seeded } = await mailboxWith(box, ['c@p.test']);
    const raw = replyTo('c@p.test', box, seeded.sends[0]![0]!.messageId, 'Interested!', '<same-id@p.test>');
    await dovecot.append(box, raw);
    await pollNow(deps);
    await dovecot.append(box, raw);
    await pollNow(deps);
    expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(1);
    expect(
      await count("SELECT count(*) AS n FROM events WHERE type = 'reply.received' AND contact_id = ?", [
        seeded.contactIds[0]!,
      ]),
    ).toBe(1);
    const t = await rows<{ message_count: number }>(
      deps,
      'SELECT message_count FROM threads WHERE mailbox_id = ?',
      [mailboxId],
    );
    expect(t).toEqual([{ message_count: 1 }]);
  });

  it('a connection dropped mid-fetch records the error, loses nothing and stores everything once on the next poll', async () => {
    const box = USERS[2]!;
    const proxy = await cuttingProxy(dovecot.port);
    try {
      const { mailboxId, seeded } = await mailboxWith(box, ['d@p.test', 'e@p.test', 'f@p.test'], {
        port: proxy.port,
      });
      const big = 'x'.repeat(200_000);
      await dovecot.appendMany(
        box,
        seeded.sends.map((s, i) =>
          replyTo(`${['d', 'e', 'f'][i]}@p.test`, box, s[0]!.messageId, `Interested.\n\n${big}`),
        ),
      );
      proxy.cutAfter(150_000);
      await pollNow(deps);
      expect(proxy.cuts()).toBeGreaterThan(0);
      expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(0);
      const state = await rows<{ last_error: string | null }>(
        deps,
        'SELECT last_error FROM mailbox_inbox WHERE mailbox_id = ?',
        [mailboxId],
      );
      expect(state[0]!.last_error).toBeTruthy();
      proxy.cutAfter(null);
      await pollNow(deps);
      expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(3);
      const after = await rows<{ last_error: string | null }>(
        deps,
        'SELECT last_error FROM mailbox_inbox WHERE mailbox_id = ?',
        [mailboxId],
      );
      expect(after[0]!.last_error).toBeNull();
    } finally {
      await proxy.close();
      // the proxy's port is gone: keep later polls from waiting on it
      await deps.db.client.execute({
        sql: "UPDATE mailboxes SET status = 'unverified' WHERE address = ?",
        args: [box],
      });
    }
  });

  it('a wrong password: lastError + one mailbox.error event, retried with backoff, other mailboxes still read', async () => {
    const box = USERS[3]!;
    const { mailboxId } = await mailboxWith(box, ['g@p.test'], { password: 'wrong' });
    const other = USERS[5]!;
    const { mailboxId: otherId, seeded } = await mailboxWith(other, ['h@p.test']);
    await dovecot.appendMany(other, [replyTo('h@p.test', other, seeded.sends[0]![0]!.messageId)], 'Junk');
    await pollNow(deps);
    await pollNow(deps);
    const state = await rows<{ last_error: string }>(
      deps,
      'SELECT last_error FROM mailbox_inbox WHERE mailbox_id = ?',
      [mailboxId],
    );
    expect(state[0]!.last_error).toMatch(/AUTHENTICATIONFAILED|Authentication failed/i);
    const events = await rows<{ data: string }>(
      deps,
      "SELECT data FROM events WHERE type = 'mailbox.error'",
      [],
    );
    const mine = events.map((e) => JSON.parse(e.data)).filter((d) => d.mailboxId === mailboxId);
    expect(mine).toHaveLength(1);
    const job = await rows<{ state: string; run_at: number }>(
      deps,
      "SELECT state, run_at FROM jobs WHERE kind = 'inbox_poll' AND ref_id = ?",
      [mailboxId],
    );
    expect(job[0]!.state).toBe('retry');
    expect(job[0]!.run_at).toBeGreaterThan(Date.now());
    // the loop is alive: the other mailbox's reply (delivered to its \Junk folder) was read
    expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [otherId])).toBe(1);
    // fixing the password clears the error on the next read
    await deps.db.client.execute({
      sql: 'UPDATE mailboxes SET imap_password = ? WHERE id = ?',
      args: [deps.secrets.encrypt(PASSWORD), mailboxId],
    });
    await pollNow(deps);
    const fixed = await rows<{ last_error: string | null }>(
      deps,
      'SELECT last_error FROM mailbox_inbox WHERE mailbox_id = ?',
      [mailboxId],
    );
    expect(fixed[0]!.last_error).toBeNull();
  });

  it('a 5,000-message mailbox on its first read considers only mail received after registration', async () => {
    const box = USERS[4]!;
    const old = Array.from({ length: 5000 }, (_, i) =>
      rawMail({
        from: `old${i}@p.test`,
        to: box,
        subject: `old ${i}`,
        text: 'old mail',
        messageId: `<old-${i}@p.test>`,
      }),
    );
    // received an hour before the mailbox was registered
    await dovecot.deliverMany(box, old, Date.now() - 3600_000);
    const mailboxId = await seedMailbox(deps, dovecot, {
      workspaceId,
      address: box,
      createdAt: Date.now() - 1000,
    });
    // the old mail was written by the same contacts: it must still not be imported
    const seeded = await seedSent(deps, {
      workspaceId,
      mailboxId,
      emails: ['old1@p.test', 'old2@p.test', 'new@p.test'],
    });
    await dovecot.append(box, replyTo('new@p.test', box, seeded.sends[2]![0]!.messageId));
    const started = Date.now();
    await pollNow(deps);
    const ms = Date.now() - started;
    expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [mailboxId])).toBe(1);
    const state = await rows<{ messages_seen: number }>(
      deps,
      'SELECT messages_seen FROM mailbox_inbox WHERE mailbox_id = ?',
      [mailboxId],
    );
    expect(state[0]!.messages_seen).toBe(1);
    const cursor = await rows<{ last_uid: number }>(
      deps,
      "SELECT last_uid FROM imap_folders WHERE mailbox_id = ? AND path = 'INBOX'",
      [mailboxId],
    );
    expect(cursor[0]!.last_uid).toBe(5001);
    console.log(`first read of a 5,001-message mailbox: ${ms} ms`);
  }, 120_000);

  it('two workers on one database: each mailbox read by one at a time, every reply stored once', async () => {
    const boxes = USERS.slice(6);
    const seededAll = [];
    for (const b of boxes) {
      const emails = Array.from({ length: 5 }, (_, i) => `${b.split('@')[0]}-${i}@p.test`);
      seededAll.push({ box: b, emails, ...(await mailboxWith(b, emails)) });
    }
    const log: { worker: string; mailboxId: string; phase: 'start' | 'end'; t: number }[] = [];
    const second = openDb(deps.config.databaseUrl);
    const workers: Deps[] = [
      { ...deps, log: recorder('w1', log) },
      { ...deps, db: second, log: recorder('w2', log) },
    ];
    try {
      for (let round = 0; round < 4; round++) {
        await Promise.all(
          seededAll.map((s) =>
            dovecot.append(
              s.box,
              replyTo(s.emails[round]!, s.box, s.seeded.sends[round]![0]!.messageId, 'Interested!'),
            ),
          ),
        );
        await deps.db.client.execute(
          "UPDATE jobs SET run_at = 0 WHERE kind = 'inbox_poll' AND state IN ('queued', 'retry')",
        );
        await Promise.all(workers.map((w) => inboxLoop().tick(w, { workerId: 'x', stopping: () => false })));
      }
    } finally {
      second.close();
    }
    for (const s of seededAll) {
      expect(await count('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?', [s.mailboxId])).toBe(4);
    }
    const byMailbox = new Map<string, typeof log>();
    for (const e of log) byMailbox.set(e.mailboxId, [...(byMailbox.get(e.mailboxId) ?? []), e]);
    for (const [, entries] of byMailbox) {
      let open = 0;
      for (const e of entries.sort((a, b) => a.t - b.t || (a.phase === 'end' ? -1 : 1))) {
        open += e.phase === 'start' ? 1 : -1;
        expect(open).toBeLessThanOrEqual(1);
      }
    }
    expect(new Set(log.map((e) => e.worker)).size).toBe(2);
  });
});

function recorder(
  worker: string,
  log: { worker: string; mailboxId: string; phase: 'start' | 'end'; t: number }[],
): Logger {
  return {
    debug: (msg, f) => {
      if (msg === 'inbox poll start')
        log.push({ worker, mailboxId: String(f?.mailboxId), phase: 'start', t: performance.now() });
      if (msg === 'inbox poll')
        log.push({ worker, mailboxId: String(f?.mailboxId), phase: 'end', t: performance.now() });
    },
    info: (msg, f) => {
      if (msg === 'inbox poll')
        log.push({ worker, mailboxId: String(f?.mailboxId), phase: 'end', t: performance.now() });
    },
    warn: (msg, f) => {
      if (msg === 'inbox poll failed')
        log.push({ worker, mailboxId: String(f?.mailboxId), phase: 'end', t: performance.now() });
      console.warn(worker, msg, f);
    },
    error: (msg, f) => console.error(worker, msg, f),
  } as Logger;
}

/** A TCP proxy to dovecot that, when told, cuts each connection after N bytes from the server. */
async function cuttingProxy(target: number) {
  let limit: number | null = null;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    let bytes = 0;
    const max = limit;
    upstream.connect(target, '127.0.0.1');
    upstream.on('data', (d: Buffer) => {
      bytes += d.length;
      if (max !== null && bytes > max) {
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    client.on('data', (d) => upstream.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    cutAfter(n: number | null) {
      limit = n;
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
