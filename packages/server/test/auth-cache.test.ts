/** The API-key lookup is cached for a few seconds: a revoked key still stops working within them. */
import { createApiKey, VirtualClock } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CACHE_TTL_MS } from '../src/lib/key-cache';
import { call, makeTestApp, type TestApp } from './support';

const ADMIN = 'admin-token-0123456789abcdef';
const clock = new VirtualClock(Date.parse('2026-05-04T10:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await makeTestApp({ clock, config: { adminToken: ADMIN } });
});
afterAll(() => t.close());

const campaigns = (key: string) => call(t.app, 'GET', '/campaigns', { key }, t.a.workspaceId);

describe('API key cache', () => {
  it('a key revoked through the API stops working at once', async () => {
    const { key, row } = await createApiKey(t.deps.db, { workspaceId: t.a.workspaceId }, clock.now());
    expect((await campaigns(key)).status).toBe(200);
    const del = await call(t.app, 'DELETE', `/api-keys/${row.id}`, { key: ADMIN, workspace: false });
    expect(del.status).toBe(204);
    expect((await campaigns(key)).status).toBe(401);
  });

  it('a key deleted by another process stops working within the cache lifetime', async () => {
    const { key, row } = await createApiKey(t.deps.db, { workspaceId: t.a.workspaceId }, clock.now());
    expect((await campaigns(key)).status).toBe(200);
    await t.deps.db.client.execute({ sql: 'DELETE FROM api_keys WHERE id = ?', args: [row.id] });
    clock.advance(KEY_CACHE_TTL_MS + 1);
    expect((await campaigns(key)).status).toBe(401);
    expect(KEY_CACHE_TTL_MS).toBeLessThanOrEqual(5_000);
  });

  it('a key that expires while cached is refused', async () => {
    const { key } = await createApiKey(
      t.deps.db,
      { workspaceId: t.a.workspaceId, expiresInDays: 1 },
      clock.now(),
    );
    expect((await campaigns(key)).status).toBe(200);
    clock.advance(86_400_000);
    expect((await campaigns(key)).status).toBe(401);
  });
});
