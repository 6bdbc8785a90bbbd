/** The pure planner: each rule on its own, no database and no SMTP. */
import { seededRng } from '@outreach/shared';
import { describe, expect, it } from 'vitest';
import {
  type PlanCampaign,
  type PlanCampaignMailbox,
  type PlanContact,
  type PlanMailbox,
  type PlanState,
  plan,
} from '../../src/dispatch/plan';

// Wednesday 2026-06-10 15:00 UTC = 11:00 in New York (EDT)
const NOW = Date.parse('2026-06-10T15:00:00Z');
const NY = {
  timezone: 'America/New_York',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
  windows: [{ start: '09:00', end: '12:00' }],
};

function campaign(id: string, over: Partial<PlanCampaign> = {}): PlanCampaign {
  return {
    id,
    workspaceId: 1,
    priority: 'MEDIUM',
    schedule: { ...NY, weekdays: [...NY.weekdays] },
    steps: [
      { id: `${id}-s1`, order: 1, delaySeconds: 0, subsequenceId: null, variants: [] },
      { id: `${id}-s2`, order: 2, delaySeconds: 86_400, subsequenceId: null, variants: [] },
    ],
    ...over,
  };
}
function cmb(
  id: string,
  campaignId: string,
  mailboxId: string,
  over: Partial<PlanCampaignMailbox> = {},
): PlanCampaignMailbox {
  return {
    id,
    campaignId,
    mailboxId,
    weight: 1,
    state: 'active',
    dailyLimit: 50,
    gapBaseSeconds: 120,
    gapJitterSeconds: 60,
    nextAvailableAt: 0,
    assignedContacts: 0,
    sent24h: 0,
    ...over,
  };
}
function mailbox(id: string, over: Partial<PlanMailbox> = {}): PlanMailbox {
  return { id, status: 'verified', dailyLimit: 100, sent24h: 0, ...over };
}
function contacts(campaignId: string, n: number, over: Partial<PlanContact> = {}): PlanContact[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${campaignId}-c${String(i).padStart(3, '0')}`,
    campaignId,
    mailboxId: null,
    currentStep: 0,
    subsequenceId: null,
    nextSendAt: NOW - 1000 + i,
    ...over,
  }));
}
const run = (state: PlanState, now = NOW) => plan(state, now, seededRng(1), { maxBatch: 50 });

describe('plan', () => {
  it('sends nothing outside the campaign window or without a schedule', () => {
    const state: PlanState = {
      campaigns: [campaign('a')],
      campaignMailboxes: [cmb('m1', 'a', 'mb1')],
      mailboxes: [mailbox('mb1')],
      dueContacts: contacts('a', 3),
    };
    expect(run(state).reservations).toHaveLength(1);
    expect(run(state, Date.parse('2026-06-10T17:00:00Z')).reservations).toEqual([]); // 13:00 NY
    expect(run(state, Date.parse('2026-06-13T15:00:00Z')).reservations).toEqual([]); // Saturday
    expect(run({ ...state, campaigns: [campaign('a', { schedule: null })] }).reservations).toEqual([]);
  });

  it('reserves one slot per campaign mailbox with gap + jitter, compare-and-set on the old value', () => {
    const d = run({
      campaigns: [campaign('a')],
      campaignMailboxes: [cmb('m1', 'a', 'mb1', { nextAvailableAt: NOW - 5 })],
      mailboxes: [mailbox('mb1')],
      dueContacts: contacts('a', 5),
    });
    expect(d.reservations).toHaveLength(1);
    const r = d.reservations[0]!;
    expect(r.sends).toHaveLength(1);
    expect(r.expectedNextAvailableAt).toBe(NOW - 5);
    expect(r.nextAvailableAt).toBeGreaterThanOrEqual(NOW + 120_000);
    expect(r.nextAvailableAt).toBeLessThanOrEqual(NOW + 180_000);
    expect(r.sends[0]).toMatchObject({ contactId: 'a-c000', stepId: 'a-s1', stepOrder: 1, isNew: true });
  });

  it('batches when gap and jitter are 0, bounded by both daily limits', () => {
    const d = run({
      campaigns: [campaign('a')],
      campaignMailboxes: [
        cmb('m1', 'a', 'mb1', { gapBaseSeconds: 0, gapJitterSeconds: 0, dailyLimit: 30, sent24h: 10 }),
      ],
      mailboxes: [mailbox('mb1', { dailyLimit: 100, sent24h: 85 })],
      dueContacts: contacts('a', 40),
    });
    expect(d.reservations[0]!.sends).toHaveLength(15); // mailbox-wide: 100 - 85
  });

  it('never uses a paused campaign mailbox, an unverified mailbox, a mailbox in its gap or at its limit', () => {
    const base = { campaigns: [campaign('a')], dueContacts: contacts('a', 3) };
    for (const [c, m] of [
      [cmb('m1', 'a', 'mb1', { state: 'paused' }), mailbox('mb1')],
      [cmb('m1', 'a', 'mb1'), mailbox('mb1', { status: 'failing' })],
      [cmb('m1', 'a', 'mb1', { nextAvailableAt: NOW + 1 }), mailbox('mb1')],
      [cmb('m1', 'a', 'mb1', { sent24h: 50 }), mailbox('mb1')],
      [cmb('m1', 'a', 'mb1'), mailbox('mb1', { sent24h: 100 })],
    ] as const) {
      expect(run({ ...base, campaignMailboxes: [c], mailboxes: [m] }).reservations).toEqual([]);
    }
  });

  it('keeps a contact with its sender: it waits when that mailbox cannot send', () => {
    const sticky = contacts('a', 1, { mailboxId: 'mb2', currentStep: 1 });
    const state: PlanState = {
      campaigns: [campaign('a')],
      campaignMailboxes: [cmb('m1', 'a', 'mb1'), cmb('m2', 'a', 'mb2', { nextAvailableAt: NOW + 60_000 })],
      mailboxes: [mailbox('mb1'), mailbox('mb2')],
      dueContacts: sticky,
    };
    expect(run(state).reservations).toEqual([]);
    const later = run(state, NOW + 60_000);
    expect(
      later.reservations.map((r) => [r.campaignMailboxId, r.sends[0]!.stepId, r.sends[0]!.isNew]),
    ).toEqual([['m2', 'a-s2', false]]);
  });

  it('gives new contacts to the mailbox furthest behind its weight share', () => {
    const d = run({
      campaigns: [campaign('a')],
      campaignMailboxes: [
        cmb('m1', 'a', 'mb1', { weight: 1, assignedContacts: 10 }),
        cmb('m2', 'a', 'mb2', { weight: 3, assignedContacts: 20 }),
      ],
      mailboxes: [mailbox('mb1'), mailbox('mb2')],
      dueContacts: contacts('a', 5),
    });
    // shares after 31: m1 7.75 (has 10: ahead), m2 23.25 (has 20: behind) → only m2 takes one
    expect(d.reservations.map((r) => r.campaignMailboxId)).toEqual(['m2']);
  });

  it('reports contacts with no step left as finished', () => {
    const d = run({
      campaigns: [campaign('a')],
      campaignMailboxes: [cmb('m1', 'a', 'mb1')],
      mailboxes: [mailbox('mb1')],
      dueContacts: contacts('a', 1, { currentStep: 2, mailboxId: 'mb1' }),
    });
    expect(d.finished).toEqual([
      { contactId: 'a-c000', campaignId: 'a', workspaceId: 1, subsequenceId: null },
    ]);
    expect(d.reservations).toEqual([]);
  });

  it('lets a HIGH campaign take a shared mailbox before a LOW one', () => {
    const state: PlanState = {
      campaigns: [campaign('low', { priority: 'LOW' }), campaign('high', { priority: 'HIGH' })],
      campaignMailboxes: [cmb('ml', 'low', 'mb'), cmb('mh', 'high', 'mb', { nextAvailableAt: NOW + 30_000 })],
      mailboxes: [mailbox('mb', { dailyLimit: 10 })],
      dueContacts: [...contacts('low', 5), ...contacts('high', 20)],
      demand: {
        sticky: new Map(),
        fresh: new Map([
          ['high', 20],
          ['low', 5],
        ]),
      },
    };
    // HIGH is in its gap but 20 of its contacts wait for the mailbox's 10 left today: LOW waits too
    expect(run(state).reservations).toEqual([]);
    // without HIGH demand, LOW sends
    const free = run({ ...state, demand: { sticky: new Map(), fresh: new Map([['low', 5]]) } });
    expect(free.reservations.map((r) => r.campaignId)).toEqual(['low']);
  });

  it('draws the variant by weight, stable per contact and step', () => {
    const withVariants = campaign('a', {
      steps: [
        {
          id: 'a-s1',
          order: 1,
          delaySeconds: 0,
          subsequenceId: null,
          variants: [
            { id: 'v1', weight: 70 },
            { id: 'v2', weight: 30 },
          ],
        },
      ],
    });
    const state: PlanState = {
      campaigns: [withVariants],
      campaignMailboxes: [
        cmb('m1', 'a', 'mb1', { gapBaseSeconds: 0, gapJitterSeconds: 0, dailyLimit: 5000 }),
      ],
      mailboxes: [mailbox('mb1', { dailyLimit: 5000 })],
      dueContacts: contacts('a', 50),
    };
    const first = run(state).reservations[0]!.sends.map((s) => s.variantId);
    const again = plan(state, NOW, seededRng(99), { maxBatch: 50 }).reservations[0]!.sends.map(
      (s) => s.variantId,
    );
    expect(again).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['v1', 'v2']));
  });
});
