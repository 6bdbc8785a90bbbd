import { IDEMPOTENCY_TTL_MS, purgeExpired } from '@outreach/shared';
import { createTestDeps, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.cleanup());

describe('purgeExpired', () => {
  it('deletes a backlog larger than one chunk, in chunks, and keeps what is young', async () => {
    const now = 100 * IDEMPOTENCY_TTL_MS;
    const rows = Array.from({ length: 5_500 }, (_, i) => [`old${i}`, i]);
    await deps.db.client.execute({
      sql: `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, created_at)
            SELECT 1, j.value->>0, 'fp', j.value->>1 FROM json_each(?) j`,
      args: [JSON.stringify(rows)],
    });
    await deps.db.client.execute({
      sql: "INSERT INTO idempotency_keys (workspace_id, key, fingerprint, created_at) VALUES (1, 'young', 'fp', ?)",
      args: [now - 1000],
    });
    expect(await purgeExpired(deps.db, now)).toBe(5_500);
    const left = await deps.db.client.execute('SELECT key FROM idempotency_keys');
    expect(left.rows.map((r) => r.key)).toEqual(['young']);
  });
});
