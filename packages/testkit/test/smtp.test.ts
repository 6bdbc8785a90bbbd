import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../src/index';

let server: TestSmtpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function transport(s: TestSmtpServer, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: false,
    ignoreTLS: true,
    ...(auth ? { auth } : {}),
  });
}

describe('startSmtpServer', () => {
  it('receives and parses a message', async () => {
    server = await startSmtpServer();
    const info = await transport(server).sendMail({
      from: 'Sender <sender@example.com>',
      to: 'rcpt@example.org',
      subject: 'Hello there',
      text: 'Body line\n.starts with a dot',
      headers: { 'X-Campaign': 'c1', 'List-Unsubscribe': '<https://u.example/x>' },
    });
    expect(info.accepted).toEqual(['rcpt@example.org']);
    const [msg] = await server.waitFor(1, 2000);
    expect(msg?.envelope).toEqual({ from: 'sender@example.com', to: ['rcpt@example.org'] });
    expect(msg?.parsed.subject).toBe('Hello there');
    expect(msg?.parsed.text?.trim()).toBe('Body line\n.starts with a dot');
    expect(msg?.headers['x-campaign']).toBe('c1');
    expect(msg?.headers['list-unsubscribe']).toBe('<https://u.example/x>');
    expect(msg?.headers['message-id']).toMatch(/^<.+>$/);
    expect(msg?.raw).toContain('Subject: Hello there');
  });

  it('stamps each message with when its connection opened and when its DATA was answered', async () => {
    server = await startSmtpServer({ dataDelayMs: 50 });
    const before = Date.now();
    const pooled = nodemailer.createTransport({
      host: server.host,
      port: server.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
    });
    await pooled.sendMail({ from: 'a@example.com', to: 'one@example.org', text: '1' });
    await pooled.sendMail({ from: 'a@example.com', to: 'two@example.org', text: '2' });
    pooled.close();
    const later = Date.now();
    await transport(server).sendMail({ from: 'a@example.com', to: 'three@example.org', text: '3' });
    const [one, two, three] = await server.waitFor(3, 2000);
    // one pooled connection carried the first two; the third came over a new one
    expect(one!.connectedAt).toBeGreaterThanOrEqual(before);
    expect(two!.connectedAt).toBe(one!.connectedAt);
    expect(three!.connectedAt).toBeGreaterThanOrEqual(later);
    for (const m of [one!, two!, three!]) expect(m.receivedAt - m.connectedAt).toBeGreaterThanOrEqual(50);
  });

  it('rejects a recipient with 550', async () => {
    server = await startSmtpServer({
      behaviour: (rcpt) => (rcpt.startsWith('bad') ? { code: 550, message: 'No such user' } : 'accept'),
    });
    const t = transport(server);
    await expect(
      t.sendMail({ from: 'a@example.com', to: 'bad@example.org', text: 'x' }),
    ).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
    // mixed: the good one gets through, the bad one is listed as rejected
    const info = await t.sendMail({
      from: 'a@example.com',
      to: ['bad@example.org', 'good@example.org'],
      text: 'y',
    });
    expect(info.rejected).toEqual(['bad@example.org']);
    expect(info.accepted).toEqual(['good@example.org']);
    const [msg] = await server.waitFor(1, 2000);
    expect(msg?.envelope.to).toEqual(['good@example.org']);
    expect(server.messages).toHaveLength(1);
  });

  it('answers 451 twice, then accepts', async () => {
    server = await startSmtpServer({
      behaviour: (_rcpt, attempt) => (attempt <= 2 ? { code: 451, message: 'Try again later' } : 'accept'),
    });
    const t = transport(server);
    const send = () => t.sendMail({ from: 'a@example.com', to: 'Later@Example.org', text: 'x' });
    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    await expect(send()).resolves.toMatchObject({ accepted: ['Later@example.org'] });
    expect(server.attempts('later@example.org')).toBe(3);
    expect(server.rcptLog.map((e) => e.outcome)).toEqual([451, 451, 'accept']);
    await server.waitFor(1, 2000);
  });

  it('drops the connection mid-transaction', async () => {
    server = await startSmtpServer({ behaviour: (_r, attempt) => (attempt === 1 ? 'drop' : 'accept') });
    const t = transport(server);
    const err = (await t
      .sendMail({ from: 'a@example.com', to: 'x@example.org', text: 'x' })
      .catch((e) => e)) as {
      code?: string;
      responseCode?: number;
    };
    expect(err).toBeInstanceOf(Error);
    expect(err.responseCode).toBeUndefined();
    expect(server.messages).toHaveLength(0);
    await t.sendMail({ from: 'a@example.com', to: 'x@example.org', text: 'x' });
    await server.waitFor(1, 2000);
  });

  it('requires auth when users are given: ok and 535', async () => {
    server = await startSmtpServer({ users: { alice: 's3cret' } });
    const ok = await transport(server, { user: 'alice', pass: 's3cret' }).sendMail({
      from: 'alice@example.com',
      to: 'r@example.org',
      text: 'x',
    });
    expect(ok.accepted).toEqual(['r@example.org']);
    const [msg] = await server.waitFor(1, 2000);
    expect(msg?.user).toBe('alice');

    await expect(
      transport(server, { user: 'alice', pass: 'wrong' }).sendMail({
        from: 'a@example.com',
        to: 'r@example.org',
        text: 'x',
      }),
    ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });

    // no credentials at all: the server refuses MAIL FROM
    await expect(
      transport(server).sendMail({ from: 'a@example.com', to: 'r@example.org', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 530 });
    expect(server.messages).toHaveLength(1);
  });

  it('waitFor times out with a clear message', async () => {
    server = await startSmtpServer();
    await expect(server.waitFor(1, 50)).rejects.toThrow(/waiting for 1 SMTP messages \(got 0\)/);
  });
});
