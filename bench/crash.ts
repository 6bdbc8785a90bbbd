/**
 * A crash, measured from outside (issue 16; prints figures, not a timed assertion): a one-step
 * campaign of 2,000 contacts over 3 mailboxes to a local smtp-server that takes ~20 ms per
 * message; the whole `outreach start` process tree killed with SIGKILL 4 times during the send,
 * each time restarted on the same data folder; then the wait for the campaign to complete.
 * Prints duplicates, contacts never mailed, mailed but recorded as not sent, `sent` and
 * `interrupted` rows, each restart's time to its API listening, to its first new send and to its
 * worker releasing the killed worker's claims, and the last restart's time to completion. The suite runs the same scenario smaller (packages/server/test/crash-tree.test.ts).
 *
 * Run: `pnpm bench crash` (BENCH_CONTACTS, BENCH_MAILBOXES, BENCH_KILLS, BENCH_SMTP_DELAY_MS,
 * BENCH_RUNS change the sizes; OUTREACH_DISPATCH_INTERVAL_MS etc. pass through to the server,
 * which otherwise runs with its defaults as an operator's would).
 */
import { runCrashScenario } from '@outreach/testkit/crash-run';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 2_000);
const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 3);
const KILLS = Number(process.env.BENCH_KILLS ?? 4);
const SMTP_DELAY_MS = Number(process.env.BENCH_SMTP_DELAY_MS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);

const passThrough = Object.fromEntries(
  Object.entries(process.env).filter(([k, v]) => k.startsWith('OUTREACH_') && v !== undefined),
) as Record<string, string>;

const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

console.log(
  `${CONTACTS} contacts, ${MAILBOXES} mailboxes, SMTP ${SMTP_DELAY_MS} ms per message, ${KILLS} SIGKILLs of the whole tree`,
);
for (let i = 1; i <= RUNS; i++) {
  const t0 = Date.now();
  const r = await runCrashScenario({
    contacts: CONTACTS,
    mailboxes: MAILBOXES,
    kills: KILLS,
    smtpDelayMs: SMTP_DELAY_MS,
    env: passThrough,
    completionTimeoutMs: 180_000,
    log: (line) => console.log(`  ${line}`),
  });
  const interrupted = r.statuses['failed/interrupted'] ?? 0;
  console.log(`run ${i} (${s(Date.now() - t0)} in all):`);
  console.log(`  duplicates                         ${r.duplicates}`);
  console.log(
    `  contacts never mailed              ${r.neverMailed} (not reported interrupted: ${r.neverMailedUnreported})`,
  );
  console.log(
    `  mailed but recorded as not sent    ${r.mailedNotSent} (not reported interrupted: ${r.mailedNotSentUnreported})`,
  );
  console.log(`  recorded sent, never mailed        ${r.sentNotMailed}`);
  console.log(`  sent rows                          ${r.statuses.sent ?? 0}`);
  console.log(
    `  interrupted rows                   ${interrupted} (bound: ${MAILBOXES} mailboxes × ${KILLS} kills = ${MAILBOXES * KILLS})`,
  );
  console.log(`  send rows by status                ${JSON.stringify(r.statuses)}`);
  console.log(`  /stats sends                       ${JSON.stringify(r.stats)}`);
  console.log(`  processes killed per kill          ${r.kills.map((k) => k.tree.length).join(', ')}`);
  console.log(`  survivors of the kills             ${r.kills.reduce((n, k) => n + k.survivors.length, 0)}`);
  console.log(
    `  restart → API listening            ${r.kills.map((k) => s(k.restartToListeningMs)).join(', ')}`,
  );
  console.log(
    `  restart → first new send           ${r.kills.map((k) => s(k.restartToFirstSendMs)).join(', ')}`,
  );
  console.log(
    `  restart → killed worker released   ${r.kills.map((k) => s(k.restartToReleaseMs)).join(', ')}`,
  );
  console.log(
    `  last restart → campaign completed  ${s(r.lastRestartToCompletionMs)} (status ${r.campaignStatus})`,
  );
}
