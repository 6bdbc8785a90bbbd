import {
  confirmImport,
  createCampaign,
  createImport,
  type Deps,
  getImport,
  ImportPacing,
  LeaseLostError,
  newImportId,
  openDb,
  processImport,
  purgeStaleUploads,
  storeUpload,
} from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHandler, importsHousekeeping, importsLoop } from '../src/loops/imports';
import { claimJobs } from '../src/queue/jobs';
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

  it('refuses an upload over the size limit (413) and keeps none of its blobs', async () => {
    const id = newImportId(Date.now());
    const big = `email\n${'a@b.io\n'.repeat(400_000)}`;
    await expect(
      storeUpload(deps.db, id, pieces(big, 64 * 1024), { maxBytes: 1_500_000 }),
    ).rejects.toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    const left = await deps.db.client.execute({
      sql: 'SELECT count(*) AS n FROM import_chunks WHERE import_id = ?',
      args: [id],
    });
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('housekeeping expires uploads never confirmed (7 days) and drops orphaned blobs (1 day), once per hour slot', async () => {
    const campaign = await createCampaign(deps.db, ws, { name: 'stale' }, Date.now());
    const day = 24 * 60 * 60 * 1000;
    const now = Date.now();
    const old = newImportId(now - 8 * day);
    const recent = newImportId(now - 2 * day);
    for (const [id, at] of [
      [old, now - 8 * day],
      [recent, now - 2 * day],
    ] as const) {
      const upload = await storeUpload(deps.db, id, pieces('email\nx@y.io\n'));
      await createImport(deps.db, ws, { id, campaignId: campaign.id, fileName: null, upload }, at);
    }
    // newId never goes back in time within a process: spell an id made two days ago.
    const at = (ms: number) => {
      let t = '';
      for (let i = 0, v = ms; i < 10; i++, v = Math.floor(v / 32))
        t = '0123456789abcdefghjkmnpqrstvwxyz'[v % 32] + t;
      return `imp_${t}0000000000000001`;
    };
    const orphanOld = at(now - 2 * day);
    const orphanNew = newImportId(now - 60_000);
    await storeUpload(deps.db, orphanOld, pieces('email\nx@y.io\n'));
    await storeUpload(deps.db, orphanNew, pieces('email\nx@y.io\n'));
    const chunks = async (id: string) =>
      Number(
        (
          await deps.db.client.execute({
            sql: 'SELECT count(*) AS n FROM import_chunks WHERE import_id = ?',
            args: [id],
          })
        ).rows[0]!.n,
      );

    const hourDeps = { ...deps, clock: { now: () => now } };
    await importsHousekeeping.tick(hourDeps, { workerId: 'a', stopping: () => false });
    expect(await getImport(deps.db, ws, old)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^expired/),
    });
    expect((await getImport(deps.db, ws, recent)).status).toBe('pending_mapping');
    expect([
      await chunks(old),
      await chunks(recent),
      await chunks(orphanOld),
      await chunks(orphanNew),
    ]).toEqual([0, 1, 0, 1]);
    // The same hour slot on another worker: nothing runs again; the function itself is idempotent.
    await importsHousekeeping.tick(hourDeps, { workerId: 'b', stopping: () => false });
    expect(await purgeStaleUploads(deps.db, now)).toEqual({ expired: 0, orphans: 0 });
  });

  it('gives the writer to sending: short transactions and longer pauses while a message is in flight', async () => {
    let at = 0;
    const pacing = new ImportPacing(deps.db, () => at);
    // nothing in flight: 1,000 rows a transaction, the short gap
    expect(await pacing.rowsPerTx()).toBe(1000);
    expect(pacing.pauseAfter(1000, 20)).toBe(3);
    const sendId = `snd_pacing_${Date.now()}`;
    await deps.db.client.execute({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id,
              to_email, status, scheduled_at, message_id, created_at, updated_at)
            VALUES (?, ?, 'cmp_x', 'cnt_x', 'stp_x', 'mbx_x', 'cmb_x', 'x@example.com', 'sending', 0, '<x@example.com>', 0, 0)`,
      args: [sendId, ws],
    });
    try {
      // asked again only after 250 ms
      at += 100;
      expect(await pacing.rowsPerTx()).toBe(1000);
      at += 200;
      expect(await pacing.rowsPerTx()).toBe(200);
      // 200 rows took 8 ms: the next aims at 2 ms (50 rows), after a pause twice as long
      expect(pacing.pauseAfter(200, 8)).toBe(16);
      expect(await pacing.rowsPerTx()).toBe(50);
      expect(pacing.pauseAfter(50, 1)).toBe(3);
      expect(await pacing.rowsPerTx()).toBe(100);
      // a slow table: never fewer than 25 rows
      pacing.pauseAfter(100, 1000);
      expect(await pacing.rowsPerTx()).toBe(25);

      // an import while the message is in flight still stores every row
      const { importId, campaignId } = await queuedImport(1_500);
      const done = await processImport(deps.db, importId, { now: () => Date.now() });
      expect(done).toMatchObject({ status: 'completed', totalRows: 1_500, imported: 1_500 });
      expect(await count(campaignId)).toBe(1_500);
    } finally {
      await deps.db.client.execute({ sql: 'DELETE FROM sends WHERE id = ?', args: [sendId] });
    }
    at += 300;
    expect(await pacing.rowsPerTx()).toBe(1000);
  });
});
