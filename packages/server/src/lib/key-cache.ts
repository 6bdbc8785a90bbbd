import type { Db } from '@outreach/shared';

/** How long a looked-up key is trusted without asking the database again. */
export const KEY_CACHE_TTL_MS = 3_000;
const MAX_ENTRIES = 10_000;

export interface CachedKey {
  id: string;
  workspaceId: number;
  expiresAt: number;
}

/**
 * API keys by hash, trusted for a few seconds: every request otherwise pays a lookup. Only keys
 * that exist are cached (a new key works at once); a key deleted through this process is
 * forgotten at once, one deleted through another process stops working within the TTL. Owned by
 * one app (createApp), so two apps on two databases never share entries.
 */
export class ApiKeyCache {
  private entries = new Map<string, { key: CachedKey; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async byHash(hash: string): Promise<CachedKey | null> {
    const t = this.now();
    const hit = this.entries.get(hash);
    if (hit && hit.until > t) return hit.key;
    const rows = await this.db.read({
      sql: 'SELECT id, workspace_id, expires_at FROM api_keys WHERE hash = ?',
      args: [hash],
    });
    const r = rows[0];
    if (!r) {
      this.entries.delete(hash);
      return null;
    }
    const key = { id: String(r[0]), workspaceId: Number(r[1]), expiresAt: Number(r[2]) };
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { key, until: t + KEY_CACHE_TTL_MS });
    return key;
  }

  forget(id: string): void {
    for (const [hash, e] of this.entries) if (e.key.id === id) this.entries.delete(hash);
  }
}
