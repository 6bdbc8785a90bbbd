/**
 * Dispatch benchmarks (prints figures; not a timed assertion in CI).
 *
 * 1. Throughput: 10,000 sends through the dispatch loop (5 mailboxes, gaps 0, high limits) to a
 *    local smtp-server, against a bare pooled nodemailer loop sending the same 10,000 messages
 *    to the same server in the same run. Prints both rates and the ratio, and the rate of the
 *    worker's own dispatch loop (as `outreach work` runs it) on the same messages.
 * 2. Tick cost: one dispatch tick with 1,000,000 enrolled contacts of which 100 are due
 *    (and an idle tick with none due): the cost follows the due work, not the table size.
 *    BENCH_TICK_ROUNDS rounds (default 5; the same 100 made due again), medians printed.
 *
 * Run: `npx tsx bench/dispatch.ts` (BENCH_SENDS=…, BENCH_CONTACTS=… to change the sizes;
 * BENCH_ONLY=throughput|tick for one half; BENCH_SINK=process for the smtp-server in a child
 * process instead of this one).
 */
import { seededRng, systemClock } from '@outreach/shared';
import { createTestDeps } from '@outreach/testkit/deps';
import { startWorker } from '@outreach/worker';
import { Dispatcher } from '@outreach/worker/dispatch/tick';
import { smtpTransportPool } from '@outreach/worker/dispatch/transport-pool';
import type { DispatchOptions } from '@outreach/worker/dispatch/types';
import { createDispatchLoop } from '@outreach/worker/loops/dispatch';
import nodemailer from 'nodemailer';
import {
  HTML,
  MAILBOXES,
  seedCampaign,
  sentCount,
  startSink,
  startSinkProcess,
} from './lib/dispatch-fixture';

/** OUTREACH_DISPATCH_INTERVAL_MS's default (the test deps tick every 100 ms) */
const PRODUCTION_INTERVAL_MS = 5000;
const SENDS = Number(process.env.BENCH_SENDS ?? 10_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
async function bareLoop(port: number): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    pool: true,
    maxConnections: 5,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: SENDS }, (_, i) =>
      transport.sendMail({
        from: { name: 'Ana Sender', address: `s${i % MAILBOXES}@bench.test` },
        to: `p${i}@example.com`,
        subject: `Quick question, First${i}`,
        html: HTML.replace('{{firstName}}', `First${i}`).replace('{{company}}', `Co ${i}`),
        text: `Hi First${i},\n\nQuick question about Co ${i}: would a short call next week work?\n\nAna`,
        messageId: `<bare-${i}@bench.test>`,
        headers: { 'X-Outreach-Send-Id': `bare-${i}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  transport.close();
  return SENDS / seconds;
}

async function dispatchThroughput(port: number): Promise<number> {
  const deps = await createTestDeps({ clock: systemClock, rng: seededRng(1) });
  try {
    await seedCampaign(deps, port, { now: Date.now() - 60_000, contacts: SENDS });
    const transports = smtpTransportPool({ allowPrivate: true });
    const opts: DispatchOptions = {
      transports,
      maxBatch: 200,
    };
    const dispatcher = new Dispatcher(deps, opts);
    const start = performance.now();
    let sent = 0;
    let ticks = 0;
    while (sent < SENDS) {
      const r = await dispatcher.tick();
      sent += r.sent;
      ticks++;
      if (ticks > SENDS) throw new Error('dispatch made no progress');
    }
    const seconds = (performance.now() - start) / 1000;
    transports.closeAll();
    const rows = await sentCount(deps);
    if (rows !== SENDS) throw new Error(`expected ${SENDS} sent rows, got ${rows}`);
    console.log(`  dispatch: ${SENDS} sent in ${seconds.toFixed(2)} s over ${ticks} ticks`);
    return SENDS / seconds;
  } finally {
    deps.cleanup();
  }
}

/**
 * The same 10,000 sends through the worker's dispatch loop as `outreach work` runs it (default
 * interval, queues handed over without waiting, a queue running low waking the loop), until the
 * database counts them all sent.
 */
async function workerLoopThroughput(port: number): Promise<number> {
  const deps = await createTestDeps({
    clock: systemClock,
    rng: seededRng(1),
    config: { mailboxAllowPrivate: true, dispatchIntervalMs: PRODUCTION_INTERVAL_MS },
  });
  try {
    await seedCampaign(deps, port, { now: Date.now() - 60_000, contacts: SENDS });
    const start = performance.now();
    const worker = startWorker(deps, { loops: [createDispatchLoop], workerId: 'bench-loop' });
    let seconds: number;
    try {
      while ((await sentCount(deps)) < SENDS) {
        if (performance.now() - start > 120_000)
          throw new Error(`only ${await sentCount(deps)} sent in 120 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      seconds = (performance.now() - start) / 1000;
    } finally {
      await worker.stop();
    }
    console.log(`  worker loop: ${SENDS} sent in ${seconds.toFixed(2)} s`);
    return SENDS / seconds;
  } finally {
    deps.cleanup();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function tickCost(port: number) {
  const deps = await createTestDeps({ clock: systemClock, rng: seededRng(2) });
  try {
    const now = Date.now();
    const transports = smtpTransportPool({ allowPrivate: true });
    // open the mailboxes' pooled SMTP connections with a small campaign first (smtp-server
    // greets ~100 ms after connect); the big campaign then shares those mailboxes
    const warm = await seedCampaign(deps, port, { now, contacts: 5 });
    const dispatcher = new Dispatcher(deps, { transports, maxBatch: 100 });
    await dispatcher.tick();
    const t0 = performance.now();
    const big = await seedCampaign(deps, port, { now, contacts: CONTACTS, dueCount: 100, reuse: warm });
    await deps.db.client.execute('ANALYZE');
    console.log(
      `  seeded ${CONTACTS.toLocaleString('en')} active contacts (100 due) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The loop's mode: the tick plans and reserves, the mailbox queues deliver afterwards. The
    // machine is shared: ROUNDS ticks, the same 100 contacts made due again before each.
    const rounds = Number(process.env.BENCH_TICK_ROUNDS ?? 5);
    const busy: number[] = [];
    const idle: number[] = [];
    let reserved = 0;
    let sent = 0;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) {
        const emails = JSON.stringify(Array.from({ length: 100 }, (_, i) => `p${i}@example.com`));
        await deps.db.client.batch(
          [
            { sql: 'DELETE FROM sends WHERE campaign_id = ?', args: [big.campaignId] },
            {
              sql: `UPDATE contacts SET status = 'active', current_step = 0, next_send_at = ?
                    WHERE campaign_id = ? AND email IN (SELECT value FROM json_each(?))`,
              args: [Date.now() - 1000, big.campaignId, emails],
            },
          ],
          'write',
        );
      }
      const s1 = performance.now();
      const r = await dispatcher.tick({ awaitDelivery: false });
      busy.push(performance.now() - s1);
      await dispatcher.drain();
      const delivered = performance.now() - s1;
      const [row] = (
        await deps.db.client.execute({
          sql: "SELECT count(*) AS n FROM sends WHERE campaign_id = ? AND status = 'sent'",
          args: [big.campaignId],
        })
      ).rows;
      // an idle loop ticks over and over: the median of 20 such ticks
      const idleRound: number[] = [];
      for (let k = 0; k < 20; k++) {
        const s2 = performance.now();
        await dispatcher.tick({ awaitDelivery: false });
        idleRound.push(performance.now() - s2);
      }
      idle.push(median(idleRound));
      reserved = r.reserved;
      sent = Number(row!.n);
      console.log(
        `  round ${round + 1}: tick with 100 due ${busy[round]!.toFixed(1)} ms (${r.reserved} reserved and queued; ${sent} delivered over SMTP ${delivered.toFixed(0)} ms after it began); tick with 0 due ${idle[round]!.toFixed(2)} ms (median of 20)`,
      );
    }
    transports.closeAll();
    const t = { busy: median(busy), first: busy[0]!, idleMs: median(idle), reserved, sent };
    console.log(
      `  median of ${rounds}: tick with 100 due ${t.busy.toFixed(1)} ms (first ${t.first.toFixed(1)} ms), with 0 due ${t.idleMs.toFixed(2)} ms`,
    );
    return t;
  } finally {
    deps.cleanup();
  }
}

async function main() {
  // BENCH_SINK=process: the smtp-server in a child process (as a real one never shares the
  // sender's thread); default: in this process, as the figures so far were measured.
  const own = process.env.BENCH_SINK === 'process';
  const sink = own ? await startSinkProcess() : await startSink();
  console.log(
    `throughput (${SENDS.toLocaleString('en')} messages, local smtp-server on port ${sink.port}, ${own ? 'in its own process' : 'in this process'})`,
  );
  // The machine may be shared: alternate the two, ROUNDS times, and compare the best of each.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const bare: number[] = [];
  const ours: number[] = [];
  const loop: number[] = [];
  if (process.env.BENCH_ONLY !== 'tick') {
    for (let i = 0; i < rounds; i++) {
      bare.push(await bareLoop(sink.port));
      console.log(`  bare pooled nodemailer loop: ${bare[i]!.toFixed(0)} msg/s`);
      ours.push(await dispatchThroughput(sink.port));
      console.log(`  dispatch loop:               ${ours[i]!.toFixed(0)} msg/s`);
      loop.push(await workerLoopThroughput(sink.port));
      console.log(`  worker's dispatch loop:      ${loop[i]!.toFixed(0)} msg/s`);
    }
    const best = (xs: number[]) => Math.max(...xs);
    console.log(
      `  best of ${rounds}: bare ${best(bare).toFixed(0)} msg/s, dispatch ${best(ours).toFixed(0)} msg/s: ratio ${((best(ours) / best(bare)) * 100).toFixed(0)} % (goal ≥ 80 %); the worker's loop ${best(loop).toFixed(0)} msg/s (${((best(loop) / best(bare)) * 100).toFixed(0)} %)`,
    );
  }
  if (process.env.BENCH_ONLY === 'throughput') return void (await sink.close());
  console.log(`tick cost (${CONTACTS.toLocaleString('en')} enrolled contacts)`);
  const t = await tickCost(sink.port);
  const ok = t.reserved === 100 && t.sent === 100;
  console.log(
    `  ${ok && t.busy < 10 ? 'under' : 'NOT under'} 10 ms for a tick with 100 due; ${t.idleMs < 2 ? 'under' : 'NOT under'} 2 ms with 0 due${ok ? '' : ` (reserved ${t.reserved}, sent ${t.sent}: expected 100)`}`,
  );
  await sink.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
