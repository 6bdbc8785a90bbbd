/**
 * The suppression list is the last word (API.md "Suppressions"): the reservation and the claim
 * just before SMTP test it inside their own statement, so a contact put back to `active` by
 * mistake, or a suppression added while a send waits in a queue, is never mailed.
 */
import { changeContactStatus, type Deps } from '@outreach/shared';

/** SQL true when `email` (stored lower-cased) or its domain is on workspace `workspaceId`'s list. */
export function onSuppressionList(email: string, workspaceId: string): string {
  return `EXISTS (SELECT 1 FROM suppressions x WHERE x.workspace_id = ${workspaceId}
    AND ((x.kind = 'email' AND x.value = ${email})
      OR (x.kind = 'domain' AND x.value = substr(${email}, instr(${email}, '@') + 1))))`;
}

/** Active contacts found on the list: `suppressed`, with their event (their waiting sends canceled). */
export async function suppressContacts(
  deps: Deps,
  found: { workspaceId: number; contactId: string }[],
  now: number,
): Promise<void> {
  const byWorkspace = new Map<number, string[]>();
  for (const f of found)
    byWorkspace.set(f.workspaceId, [...(byWorkspace.get(f.workspaceId) ?? []), f.contactId]);
  for (const [workspaceId, contactIds] of byWorkspace) {
    await changeContactStatus(
      deps.db,
      { workspaceId, contactIds, to: 'suppressed', reason: 'suppressed', from: ['active'] },
      now,
    );
  }
}
