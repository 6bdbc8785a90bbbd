/**
 * IMAP through each mailbox's own server (imapflow). Verification logs in and out; the inbox
 * loop builds its clients with {@link imapClient} so every connection is configured one way.
 */
import { ImapFlow } from 'imapflow';
import type { LoginCheck } from './smtp';

/** A mailbox's IMAP settings as stored (the password is kept apart, encrypted). */
export interface ImapSettings {
  /** a name or (after the SSRF check) the checked IP address to connect to. */
  host: string;
  port: number;
  secure: boolean;
  username: string;
  /** the server's name for TLS (SNI, certificate) when `host` is its checked address. */
  servername?: string;
}

/**
 * The one IMAP client factory: TLS from the first byte when `secure`, otherwise plain (no
 * STARTTLS upgrade is attempted); imapflow's own logging off (it would print commands).
 */
export function imapClient(settings: ImapSettings, password: string, timeoutMs = 30_000): ImapFlow {
  const client = new ImapFlow({
    host: settings.host,
    ...(settings.servername ? { servername: settings.servername } : {}),
    port: settings.port,
    secure: settings.secure,
    ...(settings.secure ? {} : { doSTARTTLS: false }),
    auth: { user: settings.username, pass: password },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  // Errors surface through the awaited calls; an unhandled 'error' event would crash the process.
  client.on('error', () => {});
  return client;
}

/** imapflow's error → one line in the server's own words (e.g. `AUTHENTICATIONFAILED Authentication failed.`). */
export function imapErrorText(err: unknown): string {
  const e = err as {
    responseText?: string;
    serverResponseCode?: string;
    code?: string;
    message?: string;
    response?: unknown;
  };
  if (typeof e?.responseText === 'string' && e.responseText.trim()) {
    const text = e.responseText.trim();
    const code =
      e.serverResponseCode && !text.includes(e.serverResponseCode) ? `${e.serverResponseCode} ` : '';
    return `${code}${text}`.slice(0, 300);
  }
  // A raw line only when it is an IMAP status line: anything else may be another service's banner.
  if (
    typeof e?.response === 'string' &&
    /^(\*|[A-Za-z0-9.]+) (OK|NO|BAD|BYE|PREAUTH)\b/i.test(e.response.trim())
  )
    return e.response.trim().slice(0, 300);
  const message = (e?.message ?? String(err)).slice(0, 300);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** Logs in to the mailbox's IMAP server and logs out, bounded by `timeoutMs`. Never throws. */
export async function verifyImap(
  settings: ImapSettings,
  password: string,
  timeoutMs = 10_000,
): Promise<LoginCheck> {
  const client = imapClient(settings, password, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from ${settings.host}:${settings.port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([client.connect(), deadline]);
    await Promise.race([client.logout(), deadline]).catch(() => {});
    return { ok: true };
  } catch (err) {
    return { ok: false, error: imapErrorText(err) };
  } finally {
    clearTimeout(timer);
    client.close();
  }
}
