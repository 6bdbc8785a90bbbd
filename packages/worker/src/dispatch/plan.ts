/**
 * The dispatch planner: pure. Given what the loader read (active campaigns in priority order,
 * their campaign mailboxes with 24 h counts, the mailboxes, the due contacts) and `now`/`rng`,
 * it decides which contact gets which step from which campaign mailbox in this tick.
 *
 * Rules (DESIGN.md "The sending engine", steps 1–4):
 * - campaigns highest priority first; a campaign only inside a window of its schedule (its
 *   timezone, DST-correct); no schedule → no sending.
 * - a campaign mailbox can send when active, its mailbox verified, `nextAvailableAt <= now`,
 *   its 24 h count < its dailyLimit and the mailbox's 24 h count (all campaigns, reduced by what
 *   higher-priority campaigns took in this tick) < the mailbox's dailyLimit.
 * - sticky sender: a contact that has a mailbox waits for it; a new contact gets the available
 *   campaign mailbox furthest behind its weight share (a deficit rotation over the
 *   `assignedContacts` counters), so shares follow weights even when gaps differ. A mailbox that
 *   is ahead of its share does not take new contacts (it still serves its sticky ones).
 * - priority: on a mailbox shared by several campaigns, a campaign only uses what is left of the
 *   mailbox's 24 h capacity after the due demand of higher-priority campaigns on it.
 * - one slot per campaign mailbox per tick (gap + jitter), or a batch of slots when both the gap
 *   and the jitter are 0.
 * - the variant is drawn by weight from a stable hash of contact and step (`pickVariant`).
 * - a contact with no step left is reported as finished.
 */
import { isSendable, type Rng, type Schedule } from '@outreach/shared';
import type { Priority } from '@outreach/shared/db/schema/campaigns';
import { pickVariant } from '@outreach/shared/domain/variants';

export interface PlanStep {
  id: string;
  order: number;
  delaySeconds: number;
  subsequenceId: string | null;
  variants: { id: string; weight: number }[];
}

export interface PlanCampaign {
  id: string;
  workspaceId: number;
  priority: Priority;
  schedule: Schedule | null;
  steps: PlanStep[];
}

export interface PlanCampaignMailbox {
  id: string;
  campaignId: string;
  mailboxId: string;
  weight: number;
  state: 'active' | 'paused';
  dailyLimit: number;
  gapBaseSeconds: number;
  gapJitterSeconds: number;
  nextAvailableAt: number;
  assignedContacts: number;
  /** sends of this campaign mailbox in the last 24 h. */
  sent24h: number;
}

export interface PlanMailbox {
  id: string;
  status: 'unverified' | 'verified' | 'failing';
  dailyLimit: number;
  /** sends of this mailbox (every campaign) in the last 24 h. */
  sent24h: number;
}

export interface PlanContact {
  id: string;
  campaignId: string;
  mailboxId: string | null;
  currentStep: number;
  subsequenceId: string | null;
  nextSendAt: number;
}

export interface PlanState {
  campaigns: PlanCampaign[];
  campaignMailboxes: PlanCampaignMailbox[];
  mailboxes: PlanMailbox[];
  /** due contacts (status active, nextSendAt <= now) of the campaigns above, any order. */
  dueContacts: PlanContact[];
  /**
   * For mailboxes shared by several campaigns: how many due contacts wait for each campaign
   * mailbox (sticky), and how many new ones each campaign has (both capped). A lower-priority
   * campaign only gets what is left of a shared mailbox's daily capacity after this demand.
   */
  demand?: { sticky: Map<string, number>; fresh: Map<string, number> };
}

export interface PlanOptions {
  /** most slots one campaign mailbox gets in a tick when its gap and jitter are 0. */
  maxBatch: number;
}

export interface PlannedSend {
  contactId: string;
  stepId: string;
  stepOrder: number;
  variantId: string | null;
  /** true when the contact has no sender yet (this reservation makes it sticky). */
  isNew: boolean;
}

export interface Reservation {
  campaignId: string;
  workspaceId: number;
  campaignMailboxId: string;
  mailboxId: string;
  /** compare-and-set: the reservation holds only if the row still has this value. */
  expectedNextAvailableAt: number;
  nextAvailableAt: number;
  slotAt: number;
  cmbDailyLimit: number;
  mailboxDailyLimit: number;
  sends: PlannedSend[];
}

export interface Decisions {
  /** in execution order: higher-priority campaigns first. */
  reservations: Reservation[];
  /** active contacts with no step left: to be completed. */
  finished: { contactId: string; campaignId: string; workspaceId: number; subsequenceId: string | null }[];
}

export const PRIORITY_RANK: Record<Priority, number> = { HIGH: 0, MEDIUM: 1, LOW: 2 };

/** The step a contact gets next in its sequence (main or subsequence), or null when none is left. */
export function nextStepFor(
  steps: readonly PlanStep[],
  contact: Pick<PlanContact, 'currentStep' | 'subsequenceId'>,
) {
  let best: PlanStep | null = null;
  for (const s of steps) {
    if (s.subsequenceId !== contact.subsequenceId || s.order <= contact.currentStep) continue;
    if (!best || s.order < best.order) best = s;
  }
  return best;
}

/** The gap reserved after a slot: gapBase + random(0..gapJitter) seconds, in ms. */
export function gapMs(
  cmb: Pick<PlanCampaignMailbox, 'gapBaseSeconds' | 'gapJitterSeconds'>,
  rng: Rng,
): number {
  const jitterMs = Math.max(0, cmb.gapJitterSeconds) * 1000;
  return Math.max(0, cmb.gapBaseSeconds) * 1000 + Math.floor(rng() * (jitterMs + 1));
}

export function plan(state: PlanState, now: number, rng: Rng, opts: PlanOptions): Decisions {
  const decisions: Decisions = { reservations: [], finished: [] };
  const mailboxById = new Map(state.mailboxes.map((m) => [m.id, m]));
  const mailboxRemaining = new Map(state.mailboxes.map((m) => [m.id, m.dailyLimit - m.sent24h]));
  const cmbsByCampaign = groupBy(state.campaignMailboxes, (c) => c.campaignId);
  const dueByCampaign = groupBy(state.dueContacts, (c) => c.campaignId);
  /** unmet due demand of higher-priority campaigns already planned, per mailbox. */
  const claimed = new Map<string, number>();
  const free = (mailboxId: string) => (mailboxRemaining.get(mailboxId) ?? 0) - (claimed.get(mailboxId) ?? 0);

  const campaigns = [...state.campaigns].sort(
    (a, b) =>
      PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );

  for (const campaign of campaigns) {
    if (!campaign.schedule || !isSendable(campaign.schedule, now)) continue;
    const due = (dueByCampaign.get(campaign.id) ?? [])
      .filter((c) => c.nextSendAt <= now)
      .sort((a, b) => a.nextSendAt - b.nextSendAt || (a.id < b.id ? -1 : 1));
    const cmbs = cmbsByCampaign.get(campaign.id) ?? [];

    // Can send today at all (state, verification, limits): the set weight shares are taken over.
    const usable = cmbs.filter((c) => {
      const mb = mailboxById.get(c.mailboxId);
      return c.state === 'active' && mb?.status === 'verified' && c.sent24h < c.dailyLimit;
    });
    const room = new Map<string, number>();
    for (const c of usable) {
      if (c.nextAvailableAt > now) continue;
      const batch = c.gapBaseSeconds === 0 && c.gapJitterSeconds === 0 ? opts.maxBatch : 1;
      room.set(c.id, Math.min(batch, c.dailyLimit - c.sent24h));
    }
    const cmbByMailbox = new Map(cmbs.map((c) => [c.mailboxId, c]));
    const assigned = new Map(usable.map((c) => [c.id, c.assignedContacts]));
    const batches = new Map<string, PlannedSend[]>();

    const hasRoom = (c: PlanCampaignMailbox) =>
      (room.get(c.id) ?? 0) > (batches.get(c.id)?.length ?? 0) && free(c.mailboxId) > 0;

    for (const contact of due) {
      const step = nextStepFor(campaign.steps, contact);
      if (!step) {
        decisions.finished.push({
          contactId: contact.id,
          campaignId: campaign.id,
          workspaceId: campaign.workspaceId,
          subsequenceId: contact.subsequenceId,
        });
        continue;
      }
      let cmb: PlanCampaignMailbox | undefined;
      if (contact.mailboxId) {
        cmb = cmbByMailbox.get(contact.mailboxId);
        if (!cmb || !room.has(cmb.id) || !hasRoom(cmb)) continue; // the contact waits for its sender
      } else {
        cmb = pickForNew(usable, assigned, hasRoom, (c) => room.has(c.id));
        if (!cmb) continue;
        assigned.set(cmb.id, (assigned.get(cmb.id) ?? 0) + 1);
      }
      const variant = pickVariant(step.variants, contact.id, step.id);
      const list = batches.get(cmb.id) ?? [];
      list.push({
        contactId: contact.id,
        stepId: step.id,
        stepOrder: step.order,
        variantId: variant?.id ?? null,
        isNew: !contact.mailboxId,
      });
      batches.set(cmb.id, list);
      mailboxRemaining.set(cmb.mailboxId, (mailboxRemaining.get(cmb.mailboxId) ?? 0) - 1);
    }

    if (state.demand) {
      for (const c of usable) {
        const want =
          (state.demand.sticky.get(c.id) ?? 0) +
          (c.weight > 0 ? (state.demand.fresh.get(campaign.id) ?? 0) : 0);
        const got = batches.get(c.id)?.length ?? 0;
        if (want > got) claimed.set(c.mailboxId, (claimed.get(c.mailboxId) ?? 0) + want - got);
      }
    }

    for (const cmb of cmbs) {
      const sends = batches.get(cmb.id);
      if (!sends?.length) continue;
      const mb = mailboxById.get(cmb.mailboxId)!;
      decisions.reservations.push({
        campaignId: campaign.id,
        workspaceId: campaign.workspaceId,
        campaignMailboxId: cmb.id,
        mailboxId: cmb.mailboxId,
        expectedNextAvailableAt: cmb.nextAvailableAt,
        // strictly increasing, so a compare-and-set can never succeed twice on one value
        nextAvailableAt: Math.max(now + gapMs(cmb, rng), cmb.nextAvailableAt + 1),
        slotAt: now,
        cmbDailyLimit: cmb.dailyLimit,
        mailboxDailyLimit: mb.dailyLimit,
        sends,
      });
    }
  }
  return decisions;
}

/**
 * Deficit rotation: among campaign mailboxes with a free slot now, the one furthest behind its
 * weight share of all new contacts assigned so far; none when every available one is at or
 * ahead of its share (the contact then waits for a mailbox that is behind).
 */
function pickForNew(
  usable: readonly PlanCampaignMailbox[],
  assigned: Map<string, number>,
  hasRoom: (c: PlanCampaignMailbox) => boolean,
  available: (c: PlanCampaignMailbox) => boolean,
): PlanCampaignMailbox | undefined {
  let totalWeight = 0;
  let totalAssigned = 0;
  for (const c of usable) {
    if (c.weight > 0) totalWeight += c.weight;
    totalAssigned += assigned.get(c.id) ?? 0;
  }
  if (totalWeight <= 0) return undefined;
  let best: PlanCampaignMailbox | undefined;
  let bestDeficit = 0;
  for (const c of usable) {
    if (c.weight <= 0 || !available(c) || !hasRoom(c)) continue;
    const deficit = (c.weight / totalWeight) * (totalAssigned + 1) - (assigned.get(c.id) ?? 0);
    if (deficit > bestDeficit + 1e-9) {
      best = c;
      bestDeficit = deficit;
    }
  }
  return best;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
