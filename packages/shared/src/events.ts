import type { Orm } from './db/client';
import { events } from './db/schema/index';
import { newId } from './ids';

export interface EventInput {
  workspaceId: number;
  type: string;
  campaignId?: string | null;
  contactId?: string | null;
  data: Record<string, unknown>;
}

/** The insert of one event, to be put in the same batch as the change it records. */
export function eventInsert(orm: Orm, e: EventInput, nowMs: number) {
  return orm.insert(events).values({
    id: newId('event', nowMs),
    workspaceId: e.workspaceId,
    type: e.type,
    campaignId: e.campaignId ?? null,
    contactId: e.contactId ?? null,
    data: { ...(e.campaignId ? { campaignId: e.campaignId } : {}), ...e.data },
    createdAt: nowMs,
  });
}
