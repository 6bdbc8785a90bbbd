/**
 * Reply-intent routing into subsequences (API.md "Subsequences"). Pure: the inbox effects and the
 * label correction decide with it where a reply sends its contact; the routing route validates
 * a policy with it before storing it.
 */
import type { RoutingPolicy, RoutingRule } from '../db/schema/campaigns';
import type { EnrollmentMode } from '../db/schema/subsequences';
import type { FieldError } from '../errors';
import { REPLY_INTENTS } from './webhook-events';

export interface RoutableSubsequence {
  id: string;
  enrollmentMode: EnrollmentMode;
  /** deleted ones are kept as rows but route nobody. */
  deleted: boolean;
}

export type RouteDecision =
  | { action: 'enroll'; subsequenceId: string; rule: number }
  /** the first matching rule names a manual subsequence: the thread's label is all that happens. */
  | { action: 'label'; subsequenceId: string; rule: number }
  | null;

/** The first rule matching `intent` decides: an auto subsequence enrols, a manual one only labels. */
export function routeReply(
  policy: RoutingPolicy | null | undefined,
  subsequences: readonly RoutableSubsequence[],
  intent: string | null,
): RouteDecision {
  if (!intent || !policy?.rules?.length) return null;
  const byId = new Map(subsequences.map((s) => [s.id, s]));
  for (const [i, rule] of policy.rules.entries()) {
    if (rule.trigger !== 'reply_intent' || rule.value !== intent) continue;
    const sub = byId.get(rule.subsequenceId);
    if (!sub || sub.deleted) continue; // a stale rule of a deleted subsequence matches nothing
    return sub.enrollmentMode === 'auto'
      ? { action: 'enroll', subsequenceId: sub.id, rule: i }
      : { action: 'label', subsequenceId: sub.id, rule: i };
  }
  return null;
}

/** Field errors of a policy against the campaign's live subsequences (paths `routingPolicy.rules.N.*`). */
export function routingPolicyErrors(
  rules: readonly { trigger: string; value: string; subsequenceId: string }[],
  subsequences: readonly RoutableSubsequence[],
): FieldError[] {
  const live = new Set(subsequences.filter((s) => !s.deleted).map((s) => s.id));
  const errors: FieldError[] = [];
  rules.forEach((r, i) => {
    const at = (f: string) => `routingPolicy.rules.${i}.${f}`;
    if (r.trigger !== 'reply_intent')
      errors.push({ path: at('trigger'), message: 'the only trigger is reply_intent' });
    if (!(REPLY_INTENTS as readonly string[]).includes(r.value))
      errors.push({ path: at('value'), message: `unknown reply intent; one of ${REPLY_INTENTS.join(', ')}` });
    if (!live.has(r.subsequenceId))
      errors.push({
        path: at('subsequenceId'),
        message: `${r.subsequenceId} is not a subsequence of this campaign`,
      });
  });
  return errors;
}

/** The policy without the rules naming `subsequenceId` (kept in step with a delete). */
export function withoutSubsequence(
  policy: RoutingPolicy | null,
  subsequenceId: string,
): RoutingPolicy | null {
  if (!policy) return null;
  return { rules: policy.rules.filter((r: RoutingRule) => r.subsequenceId !== subsequenceId) };
}

/**
 * The subject of a subsequence step: its own when it has one, else `Re: <the thread's subject>`
 * (the subject without its reply prefixes), or, before any message in the thread, `fallback`.
 */
export function subsequenceSubject(rendered: string, threadSubject: string | null, fallback: string): string {
  if (rendered.trim() !== '') return rendered;
  const base = (threadSubject ?? '').trim();
  if (base) return `Re: ${base}`;
  return fallback;
}
