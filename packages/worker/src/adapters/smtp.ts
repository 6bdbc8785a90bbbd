/**
 * SMTP through each mailbox's own server (nodemailer). One transport factory for everything
 * that talks SMTP: mailbox verification and the dispatch loop's pooled per-mailbox senders.
 */
import type { OutgoingMail } from '@outreach/shared';
import nodemailer, { type Transporter } from 'nodemailer';
import { composeMessage } from './smtp-message';

export type { OutgoingMail };

export interface SmtpAccount {
  /** a name or (after the SSRF check) the checked IP address to connect to. */
  host: string;
  port: number;
  secure: boolean;
  username: string;
  password: string;
  /** the server's name for TLS (SNI, certificate) when `host` is its checked address. */
  servername?: string;
}

export interface SmtpTransportOptions {
  /** pooled connections (nodemailer `pool: true`), kept open between messages. */
  pool?: boolean;
  /** connections per pool; 1 = serial per mailbox. */
  maxConnections?: number;
  /** ms for connect, greeting and socket inactivity. */
  timeoutMs?: number;
}

/** The one SMTP transport factory. */
export function smtpTransport(account: SmtpAccount, opts: SmtpTransportOptions = {}): Transporter {
  const timeout = opts.timeoutMs ?? 30_000;
  const base = {
    host: account.host,
    ...(account.servername ? { servername: account.servername } : {}),
    port: account.port,
    secure: account.secure,
    auth: account.username ? { user: account.username, pass: account.password } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // STARTTLS when the server offers it; local test servers do not.
    requireTLS: false,
  };
  if (opts.pool) {
    return nodemailer.createTransport({
      ...base,
      pool: true,
      maxConnections: opts.maxConnections ?? 1,
      maxMessages: Number.POSITIVE_INFINITY,
      // A dropped connection fails the message instead of nodemailer re-sending it on its own:
      // the dispatch loop owns retries (backoff, attempts counted, windows respected).
      maxRequeues: 0,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }
  return nodemailer.createTransport(base);
}

/** A mailbox's SMTP settings as stored (the password is kept apart, encrypted). */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  username: string;
  servername?: string;
}

/** What a login attempt found: `error` holds the server's own words (e.g. `535 Authentication failed`). */
export interface LoginCheck {
  ok: boolean;
  error?: string;
}

/**
 * nodemailer's error → one line, never the password. The server's own words only once it has
 * answered like an SMTP server past its greeting (e.g. `535 Authentication failed` to AUTH):
 * a greeting or EHLO answer may be any service's banner (SSH, FTP, HTTP), so it is not echoed.
 */
export function smtpErrorText(err: unknown): string {
  const e = err as {
    responseCode?: number;
    code?: string;
    command?: string;
    message?: string;
    response?: string;
  };
  const response = typeof e?.response === 'string' ? e.response.trim() : '';
  if (response) {
    const smtpShaped = /^[2-5]\d\d(?:[ -]|$)/.test(response);
    const pastGreeting = !!e.command && !/^(CONN|EHLO|HELO|LHLO)$/i.test(e.command);
    if (smtpShaped && pastGreeting) return response.slice(0, 300);
    const reply = smtpShaped ? ` (reply ${response.slice(0, 3)} to ${e.command ?? 'the connection'})` : '';
    return `${e.code ?? 'EPROTOCOL'}: the server did not answer like an SMTP server${reply}`;
  }
  const message = (e?.message ?? String(err)).slice(0, 300);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/**
 * Logs in to the mailbox's SMTP server (connect, EHLO, STARTTLS when offered, AUTH) and quits,
 * bounded by `timeoutMs` (connect, greeting and every reply). Never throws.
 */
export async function verifySmtp(
  settings: SmtpSettings,
  password: string,
  timeoutMs = 10_000,
): Promise<LoginCheck> {
  const transporter = smtpTransport({ ...settings, password }, { timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from ${settings.host}:${settings.port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([transporter.verify(), deadline]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: smtpErrorText(err) };
  } finally {
    clearTimeout(timer);
    transporter.close();
  }
}

/**
 * What SMTP answered: accepted; or refused, `permanent` for a 5xx recipient/message rejection
 * (a bounce), otherwise temporary (4xx, dropped connection, timeout, login trouble).
 */
export type SendOutcome =
  | { ok: true; response: string }
  | { ok: false; permanent: boolean; code: number | null; error: string };

/** The dispatch executor's view of a mailbox's sender (tests may substitute an in-process sink). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SendOutcome>;
  close(): void;
}

/** nodemailer's error → a send outcome. */
export function classifySmtpError(err: unknown): SendOutcome & { ok: false } {
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const message = (e?.response || e?.message || String(err)).slice(0, 500);
  // A 5xx on the recipient or the message is a bounce; 5xx on login (EAUTH) is the mailbox's
  // problem, not the prospect's, so it is retried like a temporary failure.
  const permanent = code !== null && code >= 500 && code < 600 && e?.code !== 'EAUTH';
  return {
    ok: false,
    permanent,
    code,
    error: code ? `${code} ${message}` : `${e?.code ?? 'error'}: ${message}`,
  };
}

/** A pooled, serial sender for one mailbox. */
export function smtpMailTransport(account: SmtpAccount, opts: SmtpTransportOptions = {}): MailTransport {
  const transporter = smtpTransport(account, { pool: true, maxConnections: 1, ...opts });
  return {
    async send(mail) {
      try {
        // the MIME text written in one pass (smtp-message.ts), sent as is
        const info = await transporter.sendMail(composeMessage(mail));
        return { ok: true, response: String(info.response ?? '') };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    close() {
      transporter.close();
    },
  };
}
