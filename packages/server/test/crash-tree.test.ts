/**
 * A crash, measured from outside (issue 16.3): a one-step campaign of 300 contacts over 2
 * mailboxes to a real smtp-server that takes 20 ms per message; the whole `outreach start` tree
 * (primary, API child, worker child) killed with SIGKILL 3 times during the send, each time
 * restarted on the same data folder. Nothing is mailed twice; every contact is mailed once and
 * recorded `sent`, except at most one per mailbox per kill, and those are reported `interrupted`
 * (never silently lost); nothing is left `sending`; the campaign completes within 90 s of the last
 * restart (the restarted worker releases its dead predecessor's claims at once). The scenario
 * itself is testkit's crash-run.ts; bench/crash.ts runs it at the size and prints figures.
 */
import { dovecotInstalled } from '@outreach/testkit';
import { type CrashRunResult, runCrashScenario } from '@outreach/testkit/crash-run';
import { beforeAll, describe, expect, it } from 'vitest';

const CONTACTS = 300;
const MAILBOXES = 2;
const KILLS = 3;

let r: CrashRunResult;

beforeAll(async () => {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  r = await runCrashScenario({
    contacts: CONTACTS,
    mailboxes: MAILBOXES,
    kills: KILLS,
    smtpDelayMs: 20,
    // a tick a second (the default is 5 s): keeps the test short on a loaded machine; bench/crash.ts
    // measures with the defaults
    env: { OUTREACH_DISPATCH_INTERVAL_MS: '1000' },
    // the assertion's bound: waiting longer would only tell how late it was
    completionTimeoutMs: 90_000,
    progressTimeoutMs: 60_000,
  });
}, 400_000);

describe('the whole outreach start tree killed 3 times during a send', () => {
  it('kills every process of the tree each time, and each restarted tree sends', () => {
    expect(r.kills).toHaveLength(KILLS);
    for (const k of r.kills) {
      // the primary, its API child and its worker child (and tsx's esbuild service, if running)
      expect(k.tree.length).toBeGreaterThanOrEqual(3);
      expect(k.apiPids).toHaveLength(1);
      expect(k.tree).toEqual(expect.arrayContaining([k.workerPid, ...k.apiPids]));
      expect(k.survivors).toEqual([]);
      expect(k.restartToFirstSendMs).not.toBeNull();
      // …and its worker released the killed worker's claims
      expect(k.restartToReleaseMs).not.toBeNull();
    }
    // killed while sending: messages kept arriving between the kills
    const before = r.kills.map((k) => k.arrivedBefore);
    expect(before[0]).toBeGreaterThan(0);
    for (let i = 1; i < before.length; i++) expect(before[i]).toBeGreaterThan(before[i - 1]!);
    expect(before.at(-1)).toBeLessThan(CONTACTS);
  });

  it('mails nothing twice, and every contact once except at most one per mailbox per kill, reported interrupted', () => {
    expect(r.duplicates).toBe(0);
    expect(r.contactsWithoutOneSend).toBe(0);
    expect(r.sentNotMailed).toBe(0);
    expect(r.neverMailedUnreported).toBe(0);
    expect(r.mailedNotSentUnreported).toBe(0);
    const interrupted = r.statuses['failed/interrupted'] ?? 0;
    expect(r.neverMailed + r.mailedNotSent).toBe(interrupted);
    expect(interrupted).toBeLessThanOrEqual(MAILBOXES * KILLS);
    // nothing in doubt is left, and nothing else happened to any send
    expect(r.statuses).toEqual({
      sent: CONTACTS - interrupted,
      ...(interrupted ? { 'failed/interrupted': interrupted } : {}),
    });
    expect(r.messages).toBe(CONTACTS - r.neverMailed);
    // /stats reports the ones in doubt apart from failures
    expect(r.stats).toMatchObject({ total: CONTACTS, sent: CONTACTS - interrupted, failed: 0, interrupted });
  });

  it('completes the campaign within 90 s of the last restart', () => {
    expect(r.campaignStatus, JSON.stringify(r.statuses)).toBe('completed');
    expect(r.lastRestartToCompletionMs).toBeLessThanOrEqual(90_000);
  });
});
