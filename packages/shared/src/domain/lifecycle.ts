/**
 * The campaign state machine (API.md, "Launch and lifecycle").
 *
 *   draft  --launch-->   active
 *   active --launch-->   active     (relaunch: enrol more contacts with a larger limit, or a no-op)
 *   active --pause-->    paused
 *   paused --resume-->   active
 *   active --complete--> completed  (internal: every contact finished)
 *   active --error-->    errored    (internal)
 *
 * Any other (state, action) pair is refused; the route answers 409 `invalid_transition` naming
 * the actions allowed from the current state.
 */

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed', 'errored'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const LIFECYCLE_ACTIONS = ['launch', 'pause', 'resume', 'complete', 'error'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** Actions a user can ask for (launch via `POST …/launch`, pause/resume via `POST …/lifecycle`). */
export const USER_LIFECYCLE_ACTIONS = [
  'launch',
  'pause',
  'resume',
] as const satisfies readonly LifecycleAction[];
/** Actions only the system takes. */
export const INTERNAL_LIFECYCLE_ACTIONS = ['complete', 'error'] as const satisfies readonly LifecycleAction[];

export type LifecycleTransition = { from: CampaignStatus; action: LifecycleAction; to: CampaignStatus };

const TRANSITIONS: readonly LifecycleTransition[] = [
  { from: 'draft', action: 'launch', to: 'active' },
  { from: 'active', action: 'launch', to: 'active' },
  { from: 'active', action: 'pause', to: 'paused' },
  { from: 'active', action: 'complete', to: 'completed' },
  { from: 'active', action: 'error', to: 'errored' },
  { from: 'paused', action: 'resume', to: 'active' },
];

const DELETABLE: ReadonlySet<CampaignStatus> = new Set<CampaignStatus>(['draft', 'paused', 'completed']);

export type TransitionResult = { ok: true; to: CampaignStatus } | { ok: false; allowed: LifecycleAction[] };

export function isCampaignStatus(value: unknown): value is CampaignStatus {
  return typeof value === 'string' && (CAMPAIGN_STATUSES as readonly string[]).includes(value);
}

export function isLifecycleAction(value: unknown): value is LifecycleAction {
  return typeof value === 'string' && (LIFECYCLE_ACTIONS as readonly string[]).includes(value);
}

export function isInternalAction(action: LifecycleAction): boolean {
  return (INTERNAL_LIFECYCLE_ACTIONS as readonly string[]).includes(action);
}

/**
 * Actions allowed from `status`, in `LIFECYCLE_ACTIONS` order. Includes the internal actions
 * (`complete`, `error`) unless `{ userOnly: true }` is passed (what a 409 should name to a user).
 */
export function allowedActions(status: CampaignStatus, opts: { userOnly?: boolean } = {}): LifecycleAction[] {
  return LIFECYCLE_ACTIONS.filter(
    (a) =>
      TRANSITIONS.some((t) => t.from === status && t.action === a) && !(opts.userOnly && isInternalAction(a)),
  );
}

/** Applies `action` to `status`. On refusal, `allowed` lists every action allowed from `status`. */
export function transition(status: CampaignStatus, action: LifecycleAction): TransitionResult {
  const t = TRANSITIONS.find((x) => x.from === status && x.action === action);
  if (t) return { ok: true, to: t.to };
  return { ok: false, allowed: allowedActions(status) };
}

/** For `GET /campaigns/lifecycle`: the states and every allowed transition (fresh copies). */
export function lifecycleDescription(): { states: CampaignStatus[]; transitions: LifecycleTransition[] } {
  return { states: [...CAMPAIGN_STATUSES], transitions: TRANSITIONS.map((t) => ({ ...t })) };
}

/** A campaign may be deleted only when it is not sending: draft, paused or completed. */
export function canDelete(status: CampaignStatus): boolean {
  return DELETABLE.has(status);
}
