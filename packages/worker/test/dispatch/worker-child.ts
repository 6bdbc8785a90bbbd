/**
 * A dispatch worker in its own process, for the multi-process tests (two workers, kill -9).
 * Env: DATABASE_URL, SECRET_KEY, DISPATCH_OPTS (JSON DispatchOptions), DELAY_AFTER_SMTP_MS
 * (sleep after SMTP accepted a message and before the result is written: the window in which
 * a kill leaves a delivered message unrecorded), INTERVAL_MS, LOOP=1 (the production loop's mode:
 * one Dispatcher whose queues deliver between ticks, stopped gracefully on SIGTERM; with
 * DEAD_AFTER_MS the worker registers and beats, and releases dead workers after that long).
 */
import { createLogger, type Deps, openDb, SecretBox, systemClock } from '@outreach/shared';
import { Dispatcher, runDispatchTick } from '../../src/dispatch/tick';
import { smtpTransportPool } from '../../src/dispatch/transport-pool';
import type { DispatchOptions } from '../../src/dispatch/types';
import { startWorker } from '../../src/index';
import { createLivenessLoop } from '../../src/loops/liveness';

const url = process.env.DATABASE_URL!;
const secretKey = process.env.SECRET_KEY!;
const delayAfter = Number(process.env.DELAY_AFTER_SMTP_MS ?? 0);
const options = JSON.parse(process.env.DISPATCH_OPTS ?? '{}') as DispatchOptions;

const deps: Deps = {
  db: openDb(url),
  config: {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: url,
    dataDir: '.',
    secretKey,
    publicUrl: 'https://outreach.example.com',
    webhookAllowPrivate: true,
    mailboxAllowPrivate: true,
    dispatchIntervalMs: Number(process.env.INTERVAL_MS ?? 20),
    inboxPollSeconds: 60,
    smtpTimeoutMs: 10_000,
    imapTimeoutMs: 10_000,
    logLevel: 'warn',
  },
  clock: systemClock,
  rng: Math.random,
  secrets: SecretBox.fromString(secretKey),
  log: createLogger('warn', { worker: process.pid }),
};

const smtp = smtpTransportPool({ allowPrivate: true });
const transports: DispatchOptions['transports'] = {
  async get(mailbox, password) {
    const inner = await smtp.get(mailbox, password);
    if (!delayAfter) return inner;
    return {
      async send(mail) {
        const outcome = await inner.send(mail);
        await new Promise((r) => setTimeout(r, delayAfter));
        return outcome;
      },
      close: () => inner.close(),
    };
  },
  closeAll: () => smtp.closeAll(),
};

let sent = 0;
const workerId = `wrk_child_${process.pid}`;
const deadAfterMs = Number(process.env.DEAD_AFTER_MS ?? 0);
const dispatcher = new Dispatcher(deps, {
  ...options,
  transports,
  awaitDelivery: false,
  ...(deadAfterMs ? { workerId } : {}),
});
const worker = startWorker(deps, {
  workerId,
  loops: [
    ...(deadAfterMs ? [createLivenessLoop({ heartbeatMs: Math.ceil(deadAfterMs / 6), deadAfterMs })] : []),
    process.env.LOOP === '1'
      ? {
          name: 'dispatch-loop',
          intervalMs: (d) => d.config.dispatchIntervalMs,
          tick: async () => {
            sent += (await dispatcher.tick()).sent;
          },
          drain: () => dispatcher.close(),
        }
      : {
          name: 'dispatch-test',
          intervalMs: (d) => d.config.dispatchIntervalMs,
          tick: async (d) => {
            const report = await runDispatchTick(d, { ...options, transports });
            sent += report.sent;
          },
        },
  ],
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => {
    smtp.closeAll();
    process.stdout.write(`sent ${sent}\n`, () => process.exit(0));
  });
});
