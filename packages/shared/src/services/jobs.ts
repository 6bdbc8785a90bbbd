import type { Orm } from '../db/client';
import { jobs } from '../db/schema/index';
import { newId } from '../ids';

export interface EnqueueInput {
  workspaceId: number;
  kind: string;
  refId?: string | null;
  payload?: Record<string, unknown>;
  runAt?: number;
  priority?: number;
  maxAttempts?: number;
}

/** The insert of one job, to be put in the same batch as whatever asked for it. */
export function jobInsert(orm: Orm, input: EnqueueInput, now: number) {
  const id = newId('job', now);
  const query = orm.insert(jobs).values({
    id,
    workspaceId: input.workspaceId,
    kind: input.kind,
    refId: input.refId ?? null,
    payload: input.payload ?? {},
    state: 'queued',
    priority: input.priority ?? 0,
    runAt: input.runAt ?? now,
    maxAttempts: input.maxAttempts ?? 5,
    createdAt: now,
  });
  return { id, query };
}
