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

/** Where the last read of a folder stopped. */
export interface FolderCursor {
  uidValidity: string;
  lastUid: number;
}

export interface FetchedMail {
  uid: number;
  /** INTERNALDATE, epoch ms. */
  internalDate: number;
  source: Buffer;
}

export interface FolderRead {
  path: string;
  uidValidity: string;
  /** the UID to store once these mails are processed (messages at or below it are never read again). */
  lastUid: number;
  /** true when the folder was read by date (first read, or its UIDVALIDITY changed). */
  byDate: boolean;
  /** oldest UID first. */
  mails: FetchedMail[];
}

/** INBOX and the folder the server marks `\Junk` (RFC 6154), if any. */
export async function inboxFolders(client: ImapFlow): Promise<string[]> {
  const list = await client.list();
  const junk = list.find((f) => f.specialUse === '\\Junk');
  return junk && junk.path.toUpperCase() !== 'INBOX' ? ['INBOX', junk.path] : ['INBOX'];
}

/** A UID set with consecutive runs folded (`1:5000,5003`), so a long list stays a short command. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(j > i ? `${uids[i]}:${uids[j]}` : String(uids[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Reads one folder's new mail: with a cursor of the same UIDVALIDITY, the UIDs above the last
 * one (`N:*` always answers the newest message, even when it is older than N, so the answer is
 * filtered); otherwise by date (first read: from the mailbox's registration; after a UIDVALIDITY
 * change: from `rereadSince`, the stored messages de-duplicated by Message-ID). Mail received
 * before `since` is never imported. Everything is collected first (`fetchAll`): no command is
 * issued inside a fetch iteration.
 */
export async function readFolder(
  client: ImapFlow,
  path: string,
  cursor: FolderCursor | null,
  opts: { since: number; rereadSince?: number; max: number },
): Promise<FolderRead> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const box = client.mailbox;
    if (!box) throw new Error(`IMAP: ${path} is not open`);
    const uidValidity = String(box.uidValidity);
    const uidNextAtOpen = Number(box.uidNext ?? 1);
    const byDate = !cursor || cursor.uidValidity !== uidValidity;
    const after = byDate ? 0 : cursor.lastUid;
    // INTERNALDATE has whole seconds: compare at that granularity.
    const floor = Math.floor(opts.since / 1000) * 1000;
    const since = byDate && cursor ? Math.max(floor, opts.rereadSince ?? floor) : floor;
    let uids: number[];
    let seenMax = after;
    if (byDate) {
      // SEARCH SINCE has day granularity (in the server's zone): a day earlier, then by INTERNALDATE.
      const found = (await client.search({ since: new Date(since - 86_400_000) }, { uid: true })) || [];
      found.sort((a, b) => a - b);
      const dates = found.length
        ? await client.fetchAll(uidSet(found), { uid: true, internalDate: true }, { uid: true })
        : [];
      uids = dates.filter((m) => dateMs(m.internalDate) >= since).map((m) => m.uid);
      seenMax = Math.max(uidNextAtOpen - 1, found[found.length - 1] ?? 0);
    } else {
      uids = ((await client.search({ uid: `${after + 1}:*` }, { uid: true })) || []).filter((u) => u > after);
    }
    uids.sort((a, b) => a - b);
    const taken = uids.slice(0, opts.max);
    const fetched = taken.length
      ? await client.fetchAll(uidSet(taken), { uid: true, internalDate: true, source: true }, { uid: true })
      : [];
    const mails: FetchedMail[] = [];
    for (const m of fetched) {
      if (!m.source || m.uid <= after) continue;
      const internalDate = dateMs(m.internalDate);
      if (internalDate < floor) continue; // older than the registration: never imported
      mails.push({ uid: m.uid, internalDate, source: m.source });
    }
    mails.sort((a, b) => a.uid - b.uid);
    const complete = taken.length === uids.length;
    const highestTaken = taken.length ? taken[taken.length - 1]! : after;
    // A complete read also passes over what it skipped (older mail, UIDs that vanished).
    const lastUid = complete ? Math.max(highestTaken, seenMax) : highestTaken;
    return { path, uidValidity, lastUid: Math.max(lastUid, after), byDate, mails };
  } finally {
    lock.release();
  }
}

function dateMs(d: Date | string | undefined): number {
  const t = d ? new Date(d).getTime() : Number.NaN;
  return Number.isFinite(t) ? t : Date.now();
}
