/**
 * An inbox worker in its own process, for the kill -9 test. Env: DATABASE_URL, SECRET_KEY.
 * Prints `ready`; polls every due mailbox with the real inbox loop.
 */
import { createLogger, type Deps, openDb, SecretBox, systemClock } from '@outreach/shared';
import { startWorker } from '../../src/index';
import '../../src/loops/inbox';

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
    dispatchIntervalMs: 100,
    inboxPollSeconds: 1,
    logLevel: 'warn',
  },
  clock: systemClock,
  rng: Math.random,
  secrets: SecretBox.fromString(secretKey),
  log: createLogger('warn', { worker: process.pid }),
};
startWorker(deps, { only: ['inbox'] });
process.stdout.write('ready\n');
