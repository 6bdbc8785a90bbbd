import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  CAMPAIGN_STATUSES,
  type CampaignStatus,
  canDelete,
  INTERNAL_LIFECYCLE_ACTIONS,
  isCampaignStatus,
  isInternalAction,
  isLifecycleAction,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  lifecycleDescription,
  transition,
  USER_LIFECYCLE_ACTIONS,
} from '../../src/domain/lifecycle';

// The full table: every (state, action) pair, `null` = refused.
const EXPECTED: Record<CampaignStatus, Record<LifecycleAction, CampaignStatus | null>> = {
  draft: { launch: 'active', pause: null, resume: null, complete: null, error: null },
  active: { launch: 'active', pause: 'paused', resume: null, complete: 'completed', error: 'errored' },
  paused: { launch: null, pause: null, resume: 'active', complete: null, error: null },
  completed: { launch: null, pause: null, resume: null, complete: null, error: null },
  errored: { launch: null, pause: null, resume: null, complete: null, error: null },
};

describe('campaign lifecycle', () => {
  it('lists the states and actions', () => {
    expect([...CAMPAIGN_STATUSES]).toEqual(['draft', 'active', 'paused', 'completed', 'errored']);
    expect([...LIFECYCLE_ACTIONS]).toEqual(['launch', 'pause', 'resume', 'complete', 'error']);
    expect([...USER_LIFECYCLE_ACTIONS, ...INTERNAL_LIFECYCLE_ACTIONS].sort()).toEqual(
      [...LIFECYCLE_ACTIONS].sort(),
    );
  });

  for (const from of CAMPAIGN_STATUSES) {
    for (const action of LIFECYCLE_ACTIONS) {
      const to = EXPECTED[from][action];
      it(`${from} --${action}--> ${to ?? 'refused'}`, () => {
        const r = transition(from, action);
        if (to === null) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.allowed).toEqual(allowedActions(from));
        } else {
          expect(r).toEqual({ ok: true, to });
        }
      });
    }
  }

  it('allowedActions per state (in LIFECYCLE_ACTIONS order)', () => {
    expect(allowedActions('draft')).toEqual(['launch']);
    expect(allowedActions('active')).toEqual(['launch', 'pause', 'complete', 'error']);
    expect(allowedActions('paused')).toEqual(['resume']);
    expect(allowedActions('completed')).toEqual([]);
    expect(allowedActions('errored')).toEqual([]);
    expect(allowedActions('active', { userOnly: true })).toEqual(['launch', 'pause']);
    for (const s of CAMPAIGN_STATUSES) {
      const fromTable = LIFECYCLE_ACTIONS.filter((a) => EXPECTED[s][a] !== null);
      expect(allowedActions(s)).toEqual(fromTable);
    }
  });

  it('a refused transition names the allowed actions', () => {
    expect(transition('paused', 'pause')).toEqual({ ok: false, allowed: ['resume'] });
    expect(transition('draft', 'resume')).toEqual({ ok: false, allowed: ['launch'] });
    expect(transition('completed', 'launch')).toEqual({ ok: false, allowed: [] });
  });

  it('lifecycleDescription matches the table and returns fresh copies', () => {
    const d = lifecycleDescription();
    expect(d.states).toEqual([...CAMPAIGN_STATUSES]);
    const fromTable = CAMPAIGN_STATUSES.flatMap((from) =>
      LIFECYCLE_ACTIONS.flatMap((action) => {
        const to = EXPECTED[from][action];
        return to ? [{ from, action, to }] : [];
      }),
    );
    const key = (t: { from: string; action: string }) => `${t.from}/${t.action}`;
    expect([...d.transitions].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      fromTable.sort((a, b) => key(a).localeCompare(key(b))),
    );
    d.states.pop();
    d.transitions[0]!.to = 'errored';
    expect(lifecycleDescription().states).toHaveLength(5);
    expect(lifecycleDescription().transitions[0]!.to).toBe('active');
  });

  it('canDelete: draft, paused and completed only', () => {
    const deletable = CAMPAIGN_STATUSES.filter(canDelete);
    expect(deletable).toEqual(['draft', 'paused', 'completed']);
  });

  it('guards', () => {
    expect(isCampaignStatus('paused')).toBe(true);
    expect(isCampaignStatus('PAUSED')).toBe(false);
    expect(isCampaignStatus(undefined)).toBe(false);
    expect(isLifecycleAction('resume')).toBe(true);
    expect(isLifecycleAction('stop')).toBe(false);
    expect(isInternalAction('complete')).toBe(true);
    expect(isInternalAction('error')).toBe(true);
    expect(isInternalAction('pause')).toBe(false);
  });
});
