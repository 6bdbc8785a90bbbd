import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { waitForCount } from './util';

/** What the server answers to one RCPT TO. `attempt` counts RCPT TOs for that address, from 1. */
export type RcptOutcome = 'accept' | { code: number; message: string } | 'drop';
export type RcptBehaviour = (rcpt: string, attempt: number) => RcptOutcome;

export interface ReceivedMessage {
  envelope: { from: string; to: string[] };
  /** The DATA as received (CRLF line ends, dot-unstuffed). */
  raw: string;
  parsed: ParsedMail;
  /** Lower-cased header name → unfolded raw value; repeated headers joined with "\n". */
  headers: Record<string, string>;
  /** The authenticated username, if any. */
  user?: string;
  /** When the server answered the DATA (ms since the epoch): the moment the message counts as delivered. */
  receivedAt: number;
  /** When the client opened the connection the message came over (tells a new sender from an old one). */
  connectedAt: number;
}

export interface RcptEvent {
  rcpt: string;
  attempt: number;
  outcome: 'accept' | 'drop' | number;
}

export interface SmtpServerOptions {
  /** username → password. When given, AUTH (PLAIN/LOGIN) is required; bad credentials get 535. */
  users?: Record<string, string>;
  /** Decides per recipient: accept, reject with a code (550, 451, …), or drop the connection. */
  behaviour?: RcptBehaviour;
  /** ms to wait before answering each message's DATA (a slow server: sends stay in flight). */
  dataDelayMs?: number;
}

export interface TestSmtpServer {
  host: '127.0.0.1';
  port: number;
  /** Accepted messages, in arrival order. */
  messages: ReceivedMessage[];
  /** Every RCPT TO seen and what was answered. */
  rcptLog: RcptEvent[];
  /** How many RCPT TOs were seen for an address (case-insensitive). */
  attempts(rcpt: string): number;
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

function headerMap(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const out: Record<string, string> = {};
  // unfold continuation lines, then split
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = out[key];
    out[key] = prev === undefined ? value : `${prev}\n${value}`;
  }
  return out;
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const rcptLog: RcptEvent[] = [];
  const attemptCount = new Map<string, number>();
  const users = opts.users;
  const behaviour = opts.behaviour;

  const options: SMTPServerOptions = {
    secure: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    size: 50 * 1024 * 1024,
  };
  if (users) {
    options.authOptional = false;
    options.authMethods = ['PLAIN', 'LOGIN'];
    // no TLS on this test server: allow AUTH over the plain connection
    options.allowInsecureAuth = true;
    options.onAuth = (auth, _session, cb) => {
      const username = auth.username ?? '';
      if (
        (auth.method === 'PLAIN' || auth.method === 'LOGIN') &&
        Object.hasOwn(users, username) &&
        users[username] === auth.password
      ) {
        cb(null, { user: username });
        return;
      }
      const err = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
      cb(err);
    };
  } else {
    options.authOptional = true;
  }

  const connectedAt = new Map<string, number>();
  options.onConnect = (session, cb) => {
    connectedAt.set(session.id, Date.now());
    cb();
  };
  options.onClose = (session) => {
    connectedAt.delete(session.id);
  };

  options.onRcptTo = (address, session, cb) => {
    const rcpt = address.address;
    const key = rcpt.toLowerCase();
    const attempt = (attemptCount.get(key) ?? 0) + 1;
    attemptCount.set(key, attempt);
    let outcome: RcptOutcome;
    try {
      outcome = behaviour ? behaviour(rcpt, attempt) : 'accept';
    } catch (e) {
      outcome = { code: 451, message: `behaviour threw: ${(e as Error).message}` };
    }
    if (outcome === 'accept') {
      rcptLog.push({ rcpt, attempt, outcome: 'accept' });
      cb();
      return;
    }
    if (outcome === 'drop') {
      rcptLog.push({ rcpt, attempt, outcome: 'drop' });
      for (const conn of server.connections) {
        if (conn.id === session.id) conn._socket.destroy();
      }
      return; // never answer
    }
    rcptLog.push({ rcpt, attempt, outcome: outcome.code });
    cb(Object.assign(new Error(outcome.message), { responseCode: outcome.code }));
  };

  options.onData = (stream, session, cb) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err) => cb(err));
    stream.on('end', () => {
      const buf = Buffer.concat(chunks);
      if (stream.sizeExceeded) {
        cb(Object.assign(new Error('Message exceeds fixed maximum message size'), { responseCode: 552 }));
        return;
      }
      const raw = buf.toString('utf8');
      const mailFrom = session.envelope.mailFrom;
      const envelope = {
        from: mailFrom ? mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      simpleParser(buf).then(
        (parsed) => {
          const msg: ReceivedMessage = {
            envelope,
            raw,
            parsed,
            headers: headerMap(raw),
            receivedAt: 0,
            connectedAt: connectedAt.get(session.id) ?? 0,
          };
          if (typeof session.user === 'string') msg.user = session.user;
          const done = () => {
            msg.receivedAt = Date.now();
            messages.push(msg);
            cb();
          };
          if (opts.dataDelayMs) setTimeout(done, opts.dataDelayMs);
          else done();
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    });
  };

  const server = new SMTPServer(options);
  server.on('error', () => {
    // client-side socket errors (e.g. after a 'drop') are expected; ignore
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    messages,
    rcptLog,
    attempts: (rcpt) => attemptCount.get(rcpt.toLowerCase()) ?? 0,
    waitFor: (n, timeoutMs = 5000) => waitForCount(messages, n, timeoutMs, 'SMTP messages'),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // don't wait for pooled clients to QUIT: cut them off
        for (const conn of server.connections) conn._socket.destroy();
      });
      return closed;
    },
  };
}
