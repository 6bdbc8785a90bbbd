import {
  type Deps,
  confirmImport,
  createCampaign,
  createImport,
  getImport,
  LeaseLostError,
  newImportId,
  openDb,
  processImport,
  storeUpload,
} from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs } from '../src/queue/jobs';
import { importHandler, importsLoop } from '../src/loops/imports';
import { runOne } from '../src/queue/run-jobs';

let deps: TestDeps;
let other: Deps;
let ws: number;
beforeAll(async () => {
  deps = await createTestDeps();
  other = { ...deps, db: openDb(deps.config.databaseUrl) };
  ws = (await createTestWorkspace(deps)).workspaceId;
});
afterAll(() => {
  other.db.close();
  deps.cleanup();
});

async function* pieces(text: string, size = 7_777): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** An import of `rows` rows through the API's services, confirmed: a queued job. */
async function queuedImport(rows: number, extra = ''): Promise<{ importId: string; campaignId: string }> {
  const campaign = await createCampaign(deps.db, ws, { name: 'worker import' }, Date.now());
  const csv = `email,first,note\n${Array.from({ length: rows }, (_, i) => `w${i}@worker.io,W${i},"n, ${i}"`).join('\n')}\n${extra}`;
  const id = newImportId(Date.now());
  const upload = await storeUpload(deps.db, id, pieces(csv));
  await createImport(deps.db, ws, { id, campaignId: campaign.id, fileName: 'w.csv', upload }, Date.now());
  await confirmImport(deps.db, ws, id, { email: 'email', first: 'firstName', note: 'note' }, Date.now());
  return { importId: id, campaignId: campaign.id };
}

async function count(campaignId: string): Promise<number> {
  const r = await deps.db.client.execute({
    sql: 'SELECT count(*) AS n FROM contacts WHERE campaign_id = ?',
    args: [campaignId],
  });
  return Number(r.rows[0]!.n);
}

describe('import worker', () => {
  it('a worker on another client of the same database completes the import (API and worker share only the database)', async () => {
    const { importId, campaignId } = await queuedImport(5_000, 'bad@\n');
    await importsLoop.tick(other, { workerId: 'w2', stopping: () => false });
    const imp = await getImport(deps.db, ws, importId);
    expect(imp).toMatchObject({ status: 'completed', totalRows: 5_001, imported: 5_000, invalid: 1 });
    expect(imp.errors).toEqual([{ row: 5_002, email: 'bad@', reason: 'invalid email' }]);
    expect(await count(campaignId)).toBe(5_000);
    const job = await deps.db.client.execute({
      sql: 'SELECT state, result FROM jobs WHERE ref_id = ?',
      args: [importId],
    });
    expect(job.rows[0]!.state).toBe('succeeded');
  });

  it('stops writing as soon as its lease is lost; a rerun starts over and gives the same result', async () => {
    const { importId, campaignId } = await queuedImport(3_000);
    await expect(
      processImport(deps.db, importId, {
        now: () => Date.now(),
        heartbeatMs: 0,
        heartbeat: async () => false,
        statementsPerTx: 1,
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const partial = await count(campaignId);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(3_000);
    expect((await getImport(deps.db, ws, importId)).status).toBe('processing');
    // Another worker takes the job over (the lease expired) and starts from the first row.
    const done = await processImport(other.db, importId, { now: () => Date.now() });
    expect(done).toMatchObject({ status: 'completed', totalRows: 3_000, imported: 3_000, invalid: 0 });
    expect(await count(campaignId)).toBe(3_000);
    // (its job ran outside the queue here)
    await deps.db.client.execute({
      sql: "UPDATE jobs SET state = 'succeeded' WHERE ref_id = ?",
      args: [importId],
    });
  });

  it('a bad row ends the job failed (not retried) and the import failed with the reason', async () => {
    const { importId, campaignId } = await queuedImport(10, `late@worker.io,"${'x'.repeat(1_100_000)}",z\n`);
    const { leaseId, jobs } = await claimJobs(deps.db, {
      kinds: ['import'],
      limit: 1,
      leaseMs: 60_000,
      now: Date.now(),
    });
    expect(jobs[0]!.refId).toBe(importId);
    await runOne(deps, importHandler, jobs[0]!, leaseId);
    const imp = await getImport(deps.db, ws, importId);
    expect(imp.status).toBe('failed');
    expect(imp.error).toMatch(/^line_too_long: row 12 /);
    // The counts say exactly what was stored before the bad row (here: its batch was not written).
    expect(imp.imported).toBe(await count(campaignId));
    const job = await deps.db.client.execute({
      sql: 'SELECT state, error FROM jobs WHERE id = ?',
      args: [jobs[0]!.id],
    });
    expect(job.rows[0]).toMatchObject({ state: 'failed' });
  });
});
