import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { sha256Hex } from '../crypto';
import type { Db } from '../db/client';
import { apiKeys, workspaces } from '../db/schema/index';
import { newId } from '../ids';

const DAY_MS = 24 * 60 * 60 * 1000;
export const API_KEY_PREFIX = 'osk_';

export async function createWorkspace(
  db: Db,
  input: { projectName: string; description?: string | null },
  now: number,
) {
  const [row] = await db.orm
    .insert(workspaces)
    .values({ projectName: input.projectName, description: input.description ?? null, createdAt: now })
    .returning();
  return row!;
}

export async function workspaceExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.orm.query.workspaces.findFirst({ where: eq(workspaces.id, id), columns: { id: true } }));
}

export async function listWorkspaces(db: Db) {
  return db.orm.select().from(workspaces).orderBy(workspaces.id);
}

/** A new key: the plain text is returned once and only its SHA-256 is stored. */
export async function createApiKey(
  db: Db,
  input: { workspaceId: number; name?: string | null; expiresInDays?: number },
  now: number,
) {
  const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const row = {
    id: newId('apiKey', now),
    workspaceId: input.workspaceId,
    name: input.name ?? null,
    hash: sha256Hex(key),
    prefix: key.slice(0, API_KEY_PREFIX.length + 4),
    last4: key.slice(-4),
    expiresAt: now + (input.expiresInDays ?? 365) * DAY_MS,
    createdAt: now,
  };
  await db.orm.insert(apiKeys).values(row);
  return { key, row };
}

export async function listApiKeys(db: Db, workspaceId: number) {
  return db.orm.select().from(apiKeys).where(eq(apiKeys.workspaceId, workspaceId)).orderBy(desc(apiKeys.id));
}

export async function deleteApiKey(db: Db, id: string): Promise<boolean> {
  const gone = await db.orm.delete(apiKeys).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id });
  return gone.length > 0;
}
