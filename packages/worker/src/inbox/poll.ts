/**
 * One poll of one mailbox (the `inbox_poll` job): log in, read INBOX and `\Junk` past their
 * cursors, log out; then parse, classify and apply the mail in chunks, each chunk in one batch
 * with its folder's cursor advance (a crash re-reads a chunk, never skips one; a message read
 * twice is stored once). IMAP I/O and database writes never overlap: no transaction waits on
 * the network, and no IMAP command runs inside a fetch.
 */
import { createHash } from 'node:crypto';
import {
  applyInboundBatch,
  type Deps,
  type InboundMail,
  MAILBOX_CHECK_TIMEOUT_MS,
  type MailboxRow,
  mailboxConnectTarget,
} from '@outreach/shared';
import { classify } from '@outreach/shared/domain/inbox/classify';
import { parseMessage } from '@outreach/shared/domain/inbox/parse';
import type { ImapFlow } from 'imapflow';
import { type FetchedMail, type FolderRead, imapClient, inboxFolders, readFolder } from '../adapters/imap';
import { extendLease, type Job } from '../queue/jobs';
import { cursorStatement, leaseGuard, loadCursors, seenStatement } from './state';

/** Mail processed per batch (one write transaction each). */
export const CHUNK = 100;
/** At most this many messages per folder per poll; the rest come with the next poll. */
export const MAX_PER_FOLDER = 2000;
/** After a UIDVALIDITY change, mail this far before the last read is read again (de-duplicated). */
export const REREAD_WINDOW_MS = 7 * 86_400_000;

export interface PollReport {
  folders: number;
  fetched: number;
  stored: number;
  unmatched: number;
  duplicates: number;
  unreadable: number;
  /** where the time went, ms: IMAP (login to logout), parse + classify, database. */
  readMs: number;
  parseMs: number;
  applyMs: number;
}

export class LeaseLost extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Logs in, reads every folder, logs out. Throws on any login or network failure. */
export async function readMailbox(
  deps: Deps,
  mailbox: MailboxRow,
  lastReadAt: number | null,
  timeoutMs = MAILBOX_CHECK_TIMEOUT_MS,
): Promise<FolderRead[]> {
  const password = deps.secrets.decrypt(mailbox.imapPassword);
  // the SSRF rule for mailbox hosts: connect to the address the check resolved
  const to = await mailboxConnectTarget(deps.config, mailbox.imap);
  if (!to.ok) throw new Error(to.error);
  const client: ImapFlow = imapClient(to.target, password, timeoutMs);
  try {
    await withTimeout(client.connect(), timeoutMs, `IMAP ${mailbox.imap.host}:${mailbox.imap.port}`);
    const cursors = await loadCursors(deps.db, mailbox.id);
    const reads: FolderRead[] = [];
    for (const path of await inboxFolders(client)) {
      reads.push(
        await readFolder(client, path, cursors.get(path) ?? null, {
          since: mailbox.createdAt,
          rereadSince: lastReadAt === null ? undefined : lastReadAt - REREAD_WINDOW_MS,
          max: MAX_PER_FOLDER,
        }),
      );
    }
    await client.logout().catch(() => {});
    return reads;
  } finally {
    client.close();
  }
}

/** The parsed, classified form of a fetched mail; null when it cannot be read at all. */
async function understand(m: FetchedMail): Promise<InboundMail | null> {
  try {
    const parsed = await parseMessage(m.source);
    const classification = classify(parsed);
    const messageId =
      parsed.messageId ??
      `<${createHash('sha256').update(m.source).digest('hex').slice(0, 40)}@no-message-id.invalid>`;
    return { parsed, classification, messageId, receivedAt: m.internalDate };
  } catch {
    return null;
  }
}

export async function pollMailbox(
  deps: Deps,
  job: Job,
  leaseId: string,
  mailbox: MailboxRow,
  opts: { leaseMs: number; lastReadAt: number | null },
): Promise<PollReport> {
  let t = performance.now();
  const reads = await readMailbox(deps, mailbox, opts.lastReadAt);
  const readMs = performance.now() - t;
  const guard = leaseGuard(job, leaseId);
  const box = { id: mailbox.id, workspaceId: mailbox.workspaceId, address: mailbox.address };
  const report: PollReport = {
    folders: reads.length,
    fetched: 0,
    stored: 0,
    unmatched: 0,
    duplicates: 0,
    unreadable: 0,
    readMs: Math.round(readMs),
    parseMs: 0,
    applyMs: 0,
  };
  for (const read of reads) {
    report.fetched += read.mails.length;
    if (read.mails.length === 0) {
      const now = deps.clock.now();
      await deps.db.client.execute(cursorStatement(mailbox.id, read.path, read, now, guard));
      continue;
    }
    for (let i = 0; i < read.mails.length; i += CHUNK) {
      if (!(await extendLease(deps.db, job, leaseId, deps.clock.now() + opts.leaseMs))) throw new LeaseLost();
      const chunk = read.mails.slice(i, i + CHUNK);
      const last = i + CHUNK >= read.mails.length;
      t = performance.now();
      const understood = await Promise.all(chunk.map(understand));
      report.parseMs += performance.now() - t;
      t = performance.now();
      const mails = understood.filter((m): m is InboundMail => m !== null);
      report.unreadable += understood.length - mails.length;
      const now = deps.clock.now();
      const cursor = {
        uidValidity: read.uidValidity,
        lastUid: last ? read.lastUid : chunk[chunk.length - 1]!.uid,
      };
      const res = await applyInboundBatch(deps.db, box, mails, {
        now,
        guard,
        extra: [
          cursorStatement(mailbox.id, read.path, cursor, now, guard),
          seenStatement(mailbox.id, chunk.length, now, guard),
        ],
      });
      report.applyMs += performance.now() - t;
      report.stored += res.stored.length;
      report.unmatched += res.unmatched + res.notifications;
      report.duplicates += res.duplicates;
    }
  }
  report.parseMs = Math.round(report.parseMs);
  report.applyMs = Math.round(report.applyMs);
  return report;
}
