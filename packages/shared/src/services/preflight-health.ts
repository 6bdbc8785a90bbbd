/**
 * The `mailboxes_healthy` preflight warning: an attached mailbox that is paused, whose last
 * login check failed, or whose inbox loop last read failed. It never blocks (`has_mailboxes` and
 * `mailbox_auth` do that for the active ones); it says which mailboxes will not carry their share.
 */

import type { Db } from '../db/client';
import type { CampaignMailboxWithAddress } from './campaign-mailboxes';
import { inboxStates } from './mailbox-inbox';
import { type MailboxRow, mailboxesByIds } from './mailboxes';
import type { PreflightCheck } from './preflight';

/** Why one attached mailbox is unhealthy; empty when it is fine. */
function reasonsOf(a: CampaignMailboxWithAddress, m: MailboxRow | undefined, inboxError: string | null) {
  const reasons: string[] = [];
  if (a.state === 'paused') reasons.push('paused');
  // A mailbox never checked (a paused one is not logged in to) has null results: not a failure.
  const c = m?.lastCheck;
  if (c?.smtp && !c.smtp.ok) reasons.push(`last SMTP check failed (${c.smtp.error ?? 'unknown error'})`);
  if (c?.imap && !c.imap.ok) reasons.push(`last IMAP check failed (${c.imap.error ?? 'unknown error'})`);
  if (inboxError) reasons.push(`inbox read failing (${inboxError})`);
  return reasons;
}

/**
 * `checked` holds the active mailboxes as preflight just checked them; the paused ones are read
 * as stored (their last check is reported, they are not logged in to again).
 */
export async function mailboxHealthCheck(
  db: Db,
  workspaceId: number,
  attached: CampaignMailboxWithAddress[],
  checked: Map<string, MailboxRow>,
): Promise<PreflightCheck> {
  const unchecked = attached.filter((a) => !checked.has(a.mailboxId)).map((a) => a.mailboxId);
  const [stored, inbox] = await Promise.all([
    mailboxesByIds(db, workspaceId, unchecked),
    inboxStates(
      db,
      attached.map((a) => a.mailboxId),
    ),
  ]);
  const rows = new Map([...stored.map((m) => [m.id, m] as const), ...checked]);
  const problems: string[] = [];
  for (const a of attached) {
    const reasons = reasonsOf(a, rows.get(a.mailboxId), inbox.get(a.mailboxId)?.lastError ?? null);
    if (reasons.length) problems.push(`${a.mailboxAddress}: ${reasons.join('; ')}`);
  }
  return {
    name: 'mailboxes_healthy',
    passed: problems.length === 0,
    blocking: false,
    ...(problems.length ? { detail: problems.join(' | ') } : {}),
  };
}
