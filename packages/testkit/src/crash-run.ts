/**
 * A crash as an operator sees it (issue 16): a one-step campaign over a few mailboxes to a real
 * smtp-server that takes a while per message; the whole `outreach start` process tree (primary,
 * API children, worker child) killed with SIGKILL during the send, each time restarted on the same
 * data folder; then the wait for the campaign to complete. Everything is measured from outside:
 * the SMTP sink says what was mailed, the database (read after a graceful stop) what was recorded.
 * The suite's crash-tree test and bench/crash.ts run it at two sizes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '@outreach/shared';
import { type RunningOutreach, startOutreach } from './cli';
import { startDovecot, type TestDovecot } from './dovecot';
import { startSmtpServer, type TestSmtpServer } from './smtp';

export interface CrashRunOptions {
  contacts: number;
  mailboxes: number;
  kills: number;
  /** the SMTP server waits this long before answering each message's DATA. */
  smtpDelayMs?: number;
  /** extra environment of every `outreach start` (e.g. OUTREACH_DISPATCH_INTERVAL_MS). */
  env?: Record<string, string>;
  /** how long to wait for the campaign to complete after the last restart (default 180 s). */
  completionTimeoutMs?: number;
  /** how long each kill may wait for its share of the messages to arrive (default 120 s). */
  progressTimeoutMs?: number;
  /** progress lines (the bench prints them). */
  log?: (line: string) => void;
}

export interface KillRecord {
  /** messages the sink had accepted when the tree was killed. */
  arrivedBefore: number;
  /** the processes of the tree just before the kill (primary first). */
  tree: number[];
  /** the killed tree's worker child and API children, as they logged themselves. */
  workerPid: number | null;
  apiPids: number[];
  /** processes of the tree still alive (not zombies) once the kill settled: must be none. */
  survivors: number[];
  /** from spawning the new `outreach start` to the sink accepting its first message (null: none);
   * messages over connections opened before the restart are the killed tree's. */
  restartToFirstSendMs: number | null;
  /** from spawning the new `outreach start` to its worker releasing the killed one's claims (log time). */
  restartToReleaseMs: number | null;
  /** from spawning the new `outreach start` to its API listening. */
  restartToListeningMs: number;
}

export interface CrashRunResult {
  campaignId: string;
  kills: KillRecord[];
  /** the campaign's status when the wait ended. */
  campaignStatus: string;
  /** from spawning the last `outreach start` to the campaign being `completed` (null: it was not). */
  lastRestartToCompletionMs: number | null;
  /** messages beyond the first per (recipient, subject): the same step mailed twice. */
  duplicates: number;
  /** contacts the sink never got a message for. */
  neverMailed: number;
  /** …of them, those whose send is not reported `interrupted` (silently lost): must be 0. */
  neverMailedUnreported: number;
  /** contacts the sink got a message for whose send is not `sent`. */
  mailedNotSent: number;
  /** …of them, those whose send is not reported `interrupted`: must be 0. */
  mailedNotSentUnreported: number;
  /** sends recorded `sent` that the sink never got: must be 0. */
  sentNotMailed: number;
  /** send rows by status (`failed/interrupted` apart from other failures). */
  statuses: Record<string, number>;
  /** `GET /campaigns/{id}/stats` at the end (its `sends` part). */
  stats: Record<string, number>;
  /** contacts with more than one send row for the step, or none at all. */
  contactsWithoutOneSend: number;
  messages: number;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
}

/** Every live process (zombies left out: they run nothing, they wait to be reaped). */
function liveProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      // the fields after the command, which may hold spaces: state ppid pgrp …
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && state !== 'X')
        out.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The live `outreach start` tree of primary `pid`: its process group (it leads one) and every
 * descendant, also one that left the group.
 */
export function processTree(pid: number): number[] {
  const procs = liveProcesses();
  const tree = new Set(procs.filter((p) => p.pgrp === pid || p.pid === pid).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree].sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
}

/** The worker and API processes of a run, by their start-up lines. */
function rolesOf(stderr: string): { workerPid: number | null; apiPids: number[] } {
  const lines = stderr.split('\n');
  const worker = lines.find((l) => l.includes('"msg":"worker started"'));
  const workerPid = worker ? Number(/"workerId":"wrk_(\d+)_/.exec(worker)?.[1]) : null;
  const apiPids = lines
    .filter((l) => l.includes('"msg":"api listening"'))
    .map((l) => Number(JSON.parse(l).pid));
  return { workerPid, apiPids };
}

/** When the worker logged that it released dead workers' claims (ms since the epoch). */
function releasedAt(stderr: string): number | undefined {
  const line = stderr.split('\n').find((l) => l.includes('"msg":"released the claims of dead workers"'));
  return line ? Date.parse(JSON.parse(line).time) : undefined;
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined> | T | undefined) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

function apiOf(run: RunningOutreach, creds: { apiKey: string; workspaceId: number }): Api {
  return async (method, path, body) => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(`${run.baseUrl}${path}${sep}workspaceId=${creds.workspaceId}`, {
      method,
      headers: { authorization: `Bearer ${creds.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

const SUBJECT = 'Hello {{firstName}}';
const mailboxAddress = (i: number) => `sender${i}@crash.test`;
const contactEmail = (i: number) => `prospect-${i}@prospects.test`;

async function setUpCampaign(api: Api, o: CrashRunOptions, smtp: TestSmtpServer, imap: TestDovecot) {
  for (let i = 0; i < o.mailboxes; i++) {
    const address = mailboxAddress(i);
    const mb = await api<{ id: string }>('POST', '/mailboxes', {
      address,
      firstName: `Sender${i}`,
      dailyLimit: 5_000,
      smtp: { host: smtp.host, port: smtp.port, secure: false, username: address, password: 'smtp-pw' },
      imap: { host: imap.host, port: imap.port, secure: false, username: address, password: 'imap-pw' },
    });
    const verified = await api<{ status: string }>('POST', `/mailboxes/${mb.id}/verify`);
    if (verified.status !== 'verified') throw new Error(`mailbox ${address}: ${JSON.stringify(verified)}`);
  }
  const campaign = await api<{ id: string }>('POST', '/campaigns', { name: 'crash run' });
  await api('POST', `/campaigns/${campaign.id}/steps`, {
    order: 1,
    subject: SUBJECT,
    bodyHtml: '<p>Hi {{firstName}}</p>',
  });
  for (let from = 0; from < o.contacts; from += 1000) {
    const contacts = Array.from({ length: Math.min(1000, o.contacts - from) }, (_, k) => ({
      email: contactEmail(from + k),
      firstName: `P${from + k}`,
    }));
    await api('POST', `/campaigns/${campaign.id}/contacts`, { contacts });
  }
  for (let i = 0; i < o.mailboxes; i++) {
    await api('POST', `/campaigns/${campaign.id}/mailboxes`, {
      mailboxAddress: mailboxAddress(i),
      dailyLimit: 5_000,
      weight: 100,
      gapBaseSeconds: 0,
      gapJitterSeconds: 0,
    });
  }
  await api('PUT', `/campaigns/${campaign.id}/schedule`, {
    timezone: 'UTC',
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    windows: [{ start: '00:00', end: '24:00' }],
  });
  await api('POST', `/campaigns/${campaign.id}/launch`);
  return campaign.id;
}

export async function runCrashScenario(o: CrashRunOptions): Promise<CrashRunResult> {
  const log = o.log ?? (() => {});
  const users = Object.fromEntries(
    Array.from({ length: o.mailboxes }, (_, i) => [mailboxAddress(i), 'smtp-pw']),
  );
  const smtp = await startSmtpServer({ users, dataDelayMs: o.smtpDelayMs ?? 20 });
  const imap = await startDovecot(
    Object.fromEntries(Array.from({ length: o.mailboxes }, (_, i) => [mailboxAddress(i), 'imap-pw'])),
  );
  const env = {
    OUTREACH_LOG_LEVEL: 'info',
    // the inbox loop reads nothing useful here: keep its IMAP polls out of the way
    OUTREACH_INBOX_POLL_SECONDS: '3600',
    ...o.env,
  };
  let run: RunningOutreach | null = null;
  const outputs: string[] = [];
  try {
    run = await startOutreach({ env, processGroup: true });
    const creds = { apiKey: run.apiKey, workspaceId: run.workspaceId };
    const dataDir = run.dataDir;
    const campaignId = await setUpCampaign(apiOf(run, creds), o, smtp, imap);
    log(`launched ${o.contacts} contacts over ${o.mailboxes} mailboxes`);

    const kills: KillRecord[] = [];
    let lastStart = Date.now();
    for (let k = 1; k <= o.kills; k++) {
      // each kill after its share of the run, so every process (first and restarted) sends some
      const share = Math.floor((o.contacts * k) / (o.kills + 1));
      await until(`${share} messages before kill ${k}`, o.progressTimeoutMs ?? 120_000, () =>
        smtp.messages.length >= share ? true : undefined,
      );
      // a varying phase: not always just after a message was answered
      await new Promise((r) => setTimeout(r, (k * 7) % 20));
      const pgid = run.child.pid!;
      const tree = processTree(pgid);
      const roles = rolesOf(run.output().stderr);
      const arrivedBefore = smtp.messages.length;
      process.kill(-pgid, 'SIGKILL');
      const alive = () => {
        const live = new Set(liveProcesses().map((p) => p.pid));
        return [...new Set([...tree, ...processTree(pgid)])].filter((p) => live.has(p));
      };
      const survivors = await until('the killed tree to be gone', 10_000, () =>
        alive().length === 0 ? [] : undefined,
      ).catch(() => alive());
      await run.stop(); // reaps the primary
      outputs.push(run.output().stderr);
      run = null;

      lastStart = Date.now();
      run = await startOutreach({
        env: { ...env, OUTREACH_DATA_DIR: dataDir },
        processGroup: true,
        credentials: creds,
      });
      const restartToListeningMs = Date.now() - lastStart;
      const start = lastStart;
      const firstNew = await until(
        'the first message after the restart',
        o.progressTimeoutMs ?? 120_000,
        () => smtp.messages.find((m) => m.connectedAt > start),
      ).catch(() => undefined);
      const current = run;
      const released = await until('the dead worker released', o.progressTimeoutMs ?? 120_000, () =>
        releasedAt(current.output().stderr),
      ).catch(() => undefined);
      const record: KillRecord = {
        arrivedBefore,
        tree,
        ...roles,
        survivors,
        restartToListeningMs,
        restartToFirstSendMs: firstNew ? firstNew.receivedAt - lastStart : null,
        restartToReleaseMs: released === undefined ? null : released - lastStart,
      };
      kills.push(record);
      log(
        `kill ${k}: ${tree.length} processes killed after ${arrivedBefore} messages, ${survivors.length} survived; ` +
          `restarted, listening in ${restartToListeningMs} ms, first new send after ${record.restartToFirstSendMs} ms, ` +
          `predecessor released after ${record.restartToReleaseMs} ms`,
      );
    }

    const api = apiOf(run, creds);
    const completionTimeoutMs = o.completionTimeoutMs ?? 180_000;
    let campaignStatus = '';
    let lastRestartToCompletionMs: number | null = null;
    const end = lastStart + completionTimeoutMs;
    for (;;) {
      campaignStatus = (await api<{ status: string }>('GET', `/campaigns/${campaignId}`)).status;
      if (campaignStatus === 'completed') {
        lastRestartToCompletionMs = Date.now() - lastStart;
        break;
      }
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`campaign ${campaignStatus} ${lastRestartToCompletionMs ?? '-'} ms after the last restart`);
    const stats = (await api<{ sends: Record<string, number> }>('GET', `/campaigns/${campaignId}/stats`))
      .sends;
    await run.stop(30_000);
    outputs.push(run.output().stderr);
    run = null;

    return {
      campaignId,
      kills,
      campaignStatus,
      lastRestartToCompletionMs,
      stats,
      ...(await tally(join(dataDir, 'outreach.db'), campaignId, smtp, o.contacts)),
    };
  } catch (err) {
    if (run) outputs.push(run.output().stderr);
    (err as Error).message += `\nlast output:\n${outputs.join('\n---\n').slice(-4000)}`;
    throw err;
  } finally {
    if (run) await run.stop(5_000);
    await smtp.close();
    await imap.stop();
  }
}

/** The sink against the database: what was mailed, what was recorded, per contact. */
async function tally(file: string, campaignId: string, smtp: TestSmtpServer, contacts: number) {
  const mailed = new Map<string, number>();
  let duplicates = 0;
  const seen = new Set<string>();
  for (const m of smtp.messages) {
    const to = m.envelope.to[0]!.toLowerCase();
    const key = `${to}\n${m.parsed.subject ?? ''}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    mailed.set(to, (mailed.get(to) ?? 0) + 1);
  }
  const db = openDb(`file:${file}`);
  try {
    const rows = (
      await db.client.execute({
        sql: `SELECT c.email, s.status, s.error FROM contacts c LEFT JOIN sends s ON s.contact_id = c.id
              WHERE c.campaign_id = ?`,
        args: [campaignId],
      })
    ).rows;
    const statuses: Record<string, number> = {};
    const sendsOf = new Map<string, { status: string; error: string | null }[]>();
    for (const r of rows) {
      const email = String(r.email).toLowerCase();
      const list = sendsOf.get(email) ?? [];
      if (r.status !== null) {
        const s = { status: String(r.status), error: r.error === null ? null : String(r.error) };
        list.push(s);
        const key = s.status === 'failed' && s.error === 'interrupted' ? 'failed/interrupted' : s.status;
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      sendsOf.set(email, list);
    }
    let neverMailed = 0;
    let neverMailedUnreported = 0;
    let mailedNotSent = 0;
    let mailedNotSentUnreported = 0;
    let sentNotMailed = 0;
    let contactsWithoutOneSend = 0;
    for (const [email, sends] of sendsOf) {
      if (sends.length !== 1) contactsWithoutOneSend++;
      const send = sends[0];
      const interrupted = send?.status === 'failed' && send.error === 'interrupted';
      const n = mailed.get(email) ?? 0;
      if (n === 0) {
        neverMailed++;
        if (!interrupted) neverMailedUnreported++;
        if (send?.status === 'sent') sentNotMailed++;
      } else if (send?.status !== 'sent') {
        mailedNotSent++;
        if (!interrupted) mailedNotSentUnreported++;
      }
    }
    if (sendsOf.size !== contacts)
      throw new Error(`${sendsOf.size} contacts in the database, ${contacts} imported`);
    return {
      duplicates,
      neverMailed,
      neverMailedUnreported,
      mailedNotSent,
      mailedNotSentUnreported,
      sentNotMailed,
      statuses,
      contactsWithoutOneSend,
      messages: smtp.messages.length,
    };
  } finally {
    db.close();
  }
}
