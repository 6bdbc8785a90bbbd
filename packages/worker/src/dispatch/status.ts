/**
 * Status changes the dispatch loop causes, through the shared services: the contacts service's
 * statements (event with the previous status, cancelation of waiting sends, the update) composed
 * into the dispatch loop's own batches; campaigns completed by the lifecycle service.
 */
import type { Deps } from '@outreach/shared';
import { statusChangeStatements } from '@outreach/shared/services/contacts';
import { changeCampaignStatus } from '@outreach/shared/services/lifecycle';

export type DispatchContactStatus = 'completed' | 'bounced' | 'failed';

/**
 * The statements moving one active contact to `status` (nothing happens if it is no longer
 * active, or, when `subsequenceId` is given, no longer in that sequence: routed meanwhile).
 */
export function contactStatusStatements(
  c: { workspaceId: number; campaignId: string; contactId: string; subsequenceId?: string | null },
  status: DispatchContactStatus,
  reason: string,
  now: number,
  data: Record<string, unknown> = {},
) {
  const guard =
    c.subsequenceId === undefined
      ? undefined
      : { sql: "coalesce(c.subsequence_id, '') = ?", args: [c.subsequenceId ?? ''] };
  return statusChangeStatements(
    { contactIds: [c.contactId], campaignId: c.campaignId },
    { workspaceId: c.workspaceId, to: status, reason, from: ['active'], data, guard },
    now,
  ) as { sql: string; args: (string | number | null)[] }[];
}

export async function completeCampaign(deps: Deps, workspaceId: number, campaignId: string): Promise<void> {
  await changeCampaignStatus(deps.db, workspaceId, campaignId, 'complete', deps.clock.now());
}
