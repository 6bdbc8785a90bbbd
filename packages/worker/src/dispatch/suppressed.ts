/**
 * The suppression list is the last word (API.md "Suppressions"): the reservation and the claim
 * just before SMTP test it inside their own statement (`onSuppressionList`), so a contact put back
 * to `active` by mistake, or a suppression added while a send waits in a queue, is never mailed.
 */
import { changeContactStatus, type Deps } from '@outreach/shared';

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
