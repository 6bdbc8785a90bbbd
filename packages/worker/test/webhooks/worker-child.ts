/**
 * A webhook worker in its own process, for the multi-process tests (kill -9, two workers).
 * Env: DATABASE_URL, SECRET_KEY, LEASE_MS, INTERVAL_MS.
 */
import { createLogger, type Deps, openDb, SecretBox, systemClock } from '@outreach/shared';
import { registerLoop, startWorker } from '../../src/index';
import { WebhookRunner } from '../../src/webhooks/runner';

const url = process.env.DATABASE_URL!;
const secretKey = process.env.SECRET_KEY!;
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
    dispatchIntervalMs: 50,
    inboxPollSeconds: 60,
    logLevel: 'warn',
  },
  clock: systemClock,
  rng: Math.random,
  secrets: SecretBox.fromString(secretKey),
  log: createLogger('warn', { worker: process.pid }),
};

const runner = new WebhookRunner({ leaseMs: Number(process.env.LEASE_MS ?? 60_000) });
registerLoop({
  name: 'webhooks-test',
  intervalMs: () => Number(process.env.INTERVAL_MS ?? 50),
  tick: (d) => runner.tick(d),
  drain: () => runner.stop(),
});
const worker = startWorker(deps, { only: ['webhooks-test'] });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
