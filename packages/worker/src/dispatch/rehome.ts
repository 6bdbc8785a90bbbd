/**
 * Contacts whose sticky mailbox was detached from their campaign (a mailbox is deleted only once
 * detached everywhere) would wait forever: they move to another active mailbox of the campaign,
 * drawn by weight, with a `contact.mailbox_changed` event. Their thread goes on: follow-ups keep
 * In-Reply-To/References (the thread is read from the contact's sends, whatever their mailbox).
 * A paused campaign mailbox still holds its contacts. Cheap every tick: the detached mailboxes
 * are found from the campaigns' `campaign.mailbox_detached` events (an indexed read), and only
 * their contacts are read (the dispatch index), so nothing scans the contacts table.
 */
import { type Deps, eventsSelect, newId, weightedPick } from '@outreach/shared';
import type { PlanCampaignMailbox } from './plan';
import type { LoadedState, Stmt } from './types';

const BATCH = 500;

export async function rehomeDetached(deps: Deps, loaded: LoadedState, now: number): Promise<number> {
  const attached = loaded.attached ?? [];
  const campaignIds = [...loaded.campaigns.keys()];
  if (campaignIds.length === 0) return 0;
  const db = deps.db.client;
  const detached = await db.execute({
    sql: `SELECT DISTINCT campaign_id, data->>'mailboxId' AS mailbox_id FROM events
          WHERE campaign_id IN (SELECT value FROM json_each(?)) AND type = 'campaign.mailbox_detached'`,
    args: [JSON.stringify(campaignIds)],
  });
  let moved = 0;
  for (const row of detached.rows) {
    const campaignId = String(row.campaign_id);
    const from = String(row.mailbox_id);
    const mine = attached.filter((c) => c.campaignId === campaignId);
    if (mine.some((c) => c.mailboxId === from)) continue; // attached again
    const targets = mine.filter((c) => c.state === 'active' && c.weight > 0);
    if (targets.length === 0) continue; // nowhere to go yet: they wait for a mailbox
    const found = await db.execute({
      sql: `SELECT id FROM contacts WHERE campaign_id = ? AND mailbox_id = ? AND status = 'active' LIMIT ?`,
      args: [campaignId, from, BATCH],
    });
    if (found.rows.length === 0) continue;
    const byTarget = new Map<PlanCampaignMailbox, string[]>();
    for (const r of found.rows) {
      const to = weightedPick(targets, (c) => c.weight, deps.rng())!;
      byTarget.set(to, [...(byTarget.get(to) ?? []), String(r.id)]);
    }
    const workspaceId = loaded.campaigns.get(campaignId)!.workspaceId;
    const stmts: Stmt[] = [];
    for (const [to, ids] of byTarget) stmts.push(...moveStatements(workspaceId, from, to, ids, now));
    await db.batch(stmts, 'write');
    moved += found.rows.length;
  }
  return moved;
}

/** The move of `ids` (still active on `from`) to `to`: events, the rotation counter, the contacts. */
function moveStatements(
  workspaceId: number,
  from: string,
  to: PlanCampaignMailbox,
  ids: string[],
  now: number,
): Stmt[] {
  const sel = `FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?)) AND c.status = 'active' AND c.mailbox_id = ?`;
  const prefix = newId('event', now).slice(0, -6);
  return [
    eventsSelect(
      {
        id: "? || printf('%06d', row_number() OVER (ORDER BY c.id))",
        workspaceId: '?',
        type: "'contact.mailbox_changed'",
        campaignId: 'c.campaign_id',
        contactId: 'c.id',
        data: `json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email,
                 'fromMailboxId', ?, 'toMailboxId', ?, 'reason', 'detached')`,
        createdAt: '?',
      },
      sel,
      [prefix, workspaceId, from, to.mailboxId, now, JSON.stringify(ids), from],
    ) as Stmt,
    {
      sql: `UPDATE campaign_mailboxes SET assigned_contacts = assigned_contacts + (SELECT count(*) ${sel}) WHERE id = ?`,
      args: [JSON.stringify(ids), from, to.id],
    },
    {
      sql: `UPDATE contacts SET mailbox_id = ?, updated_at = ?
            WHERE id IN (SELECT value FROM json_each(?)) AND status = 'active' AND mailbox_id = ?`,
      args: [to.mailboxId, now, JSON.stringify(ids), from],
    },
  ];
}
