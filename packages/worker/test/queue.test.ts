import { jobInsert, openDb, purgeExpired, seededRng } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimCronRun, claimJobs, completeJob, failJob } from '../src/queue/jobs';

let deps: TestDeps;
beforeEach(async () => {
  deps = await createTestDeps();
});
afterEach(() => deps.cleanup());

async function enqueue(n: number, now: number, kind = 'test') {
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, n - i) },
      () => jobInsert(deps.db.orm, { workspaceId: 1, kind }, now).query,
    );
    await deps.db.orm.batch(batch as [any, ...any[]]);
  }
}

describe('work queue', () => {
  it('two clients on one file claim 1,000 jobs with no job twice', async () => {
    await enqueue(1000, 1000);
    const other = openDb(deps.config.databaseUrl);
    const seen: string[] = [];
    const claimer = async (db: typeof deps.db) => {
      for (;;) {
        const { leaseId, jobs } = await claimJobs(db, {
          kinds: ['test'],
          limit: 7,
          leaseMs: 60_000,
          now: 2000,
        });
        if (jobs.length === 0) return;
        for (const j of jobs) {
          seen.push(j.id);
          expect(await completeJob(db, j, leaseId, 2000)).toBe(true);
        }
      }
    };
    await Promise.all([claimer(deps.db), claimer(other), claimer(deps.db), claimer(other)]);
    other.close();
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
  });

  it('an expired lease is reclaimed and the old holder is fenced out', async () => {
    await enqueue(1, 0);
    const first = await claimJobs(deps.db, { kinds: ['test'], limit: 1, leaseMs: 1000, now: 0 });
    expect(first.jobs).toHaveLength(1);
    expect(
      (await claimJobs(deps.db, { kinds: ['test'], limit: 1, leaseMs: 1000, now: 500 })).jobs,
    ).toHaveLength(0);
    const second = await claimJobs(deps.db, { kinds: ['test'], limit: 1, leaseMs: 1000, now: 1500 });
    expect(second.jobs[0]?.attempts).toBe(2);
    expect(await completeJob(deps.db, first.jobs[0]!, first.leaseId, 1600)).toBe(false);
    expect(await completeJob(deps.db, second.jobs[0]!, second.leaseId, 1600)).toBe(true);
  });

  it('retries with backoff, then fails with the error kept', async () => {
    await enqueue(1, 0);
    const rng = seededRng(1);
    let now = 0;
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { leaseId, jobs } = await claimJobs(deps.db, { kinds: ['test'], limit: 1, leaseMs: 1000, now });
      if (!jobs[0]) {
        now += 60_000;
        continue;
      }
      outcomes.push(await failJob(deps.db, jobs[0], leaseId, `boom ${i}`, now, rng, { baseMs: 1000 }));
      now += 1;
    }
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'retry', 'failed']);
    const row = await deps.db.client.execute('SELECT state, error, attempts FROM jobs');
    expect(row.rows[0]).toMatchObject({ state: 'failed', attempts: 5 });
    expect(String(row.rows[0]!.error)).toMatch(/^boom/);
  });

  it('a periodic task runs once per slot across workers', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((w) => claimCronRun(deps.db, 'maintenance', 3600_000, `w${w}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('maintenance purges expired idempotency records and cron markers', async () => {
    const day = 24 * 3600_000;
    await deps.db.client.batch([
      {
        sql: "INSERT INTO idempotency_keys (workspace_id, key, fingerprint, created_at) VALUES (1, 'old', 'x', ?)",
        args: [0],
      },
      {
        sql: "INSERT INTO idempotency_keys (workspace_id, key, fingerprint, created_at) VALUES (1, 'new', 'x', ?)",
        args: [10 * day],
      },
      { sql: "INSERT INTO cron_runs (task, run_at) VALUES ('t', 0)", args: [] },
    ]);
    await purgeExpired(deps.db, 10 * day + 1);
    const keys = await deps.db.client.execute('SELECT key FROM idempotency_keys');
    expect(keys.rows.map((r) => r.key)).toEqual(['new']);
    expect((await deps.db.client.execute('SELECT count(*) AS n FROM cron_runs')).rows[0]!.n).toBe(0);
  });
});
