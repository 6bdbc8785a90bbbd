import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  type Config,
  createApiKey,
  createWorkspace,
  type Deps,
  migrateDb,
  openDb,
  type Rng,
  SecretBox,
  silentLogger,
  systemClock,
} from '@outreach/shared';

export interface TestDeps extends Deps {
  dir: string;
  cleanup(): void;
}

/** A fresh, migrated libSQL file in a temp folder, with real services around it. */
export async function createTestDeps(
  opts: { clock?: Clock; rng?: Rng; config?: Partial<Config> } = {},
): Promise<TestDeps> {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const db = openDb(url);
  await migrateDb(db, url);
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: url,
    dataDir: dir,
    secretKey: 'a'.repeat(64),
    publicUrl: 'http://localhost:8080',
    webhookAllowPrivate: true,
    // test peers (smtp-server, dovecot) listen on 127.0.0.1
    mailboxAllowPrivate: true,
    dispatchIntervalMs: 100,
    inboxPollSeconds: 1,
    logLevel: 'silent',
    ...opts.config,
  };
  return {
    dir,
    db,
    config,
    clock: opts.clock ?? systemClock,
    rng: opts.rng ?? Math.random,
    secrets: SecretBox.fromString(config.secretKey),
    log: silentLogger,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A workspace and a fresh API key for it. */
export async function createTestWorkspace(deps: Deps, name = 'Test workspace') {
  const ws = await createWorkspace(deps.db, { projectName: name }, deps.clock.now());
  const { key } = await createApiKey(deps.db, { workspaceId: ws.id }, deps.clock.now());
  return { workspaceId: ws.id, apiKey: key };
}
