/**
 * What every operation of the spec must carry, checked when the spec is written
 * (`pnpm openapi`, `pnpm openapi:check`) and by test/openapi.test.ts: an `operationId` in
 * `resource.verb` form (generators and agent frameworks key on it, so it never changes once
 * published), one tag that is declared below with a description, and a summary.
 */

/** One tag per resource, in the order the reference shows them. A new resource adds its line here. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'Campaigns', description: 'Campaigns: create, list, read, rename, delete.' },
  {
    name: 'Steps',
    description: 'The emails of a sequence (Mustache templates, A/B/n variants) and their preview.',
  },
  {
    name: 'Contacts',
    description: "A campaign's leads: sync CSV import, JSON add, edits and the feed of status changes.",
  },
  { name: 'Imports', description: 'Large CSV imports: upload, mapping preview, confirm, progress.' },
  { name: 'Mailboxes', description: 'The sending identities (SMTP + IMAP) registered in a workspace.' },
  {
    name: 'Campaign mailboxes',
    description: 'Mailboxes attached to a campaign, with their limits, weights and gaps.',
  },
  { name: 'Schedule', description: 'Sending windows (timezone, weekdays, hours) and stop rules.' },
  { name: 'Preflight', description: 'The checks a campaign must pass before it launches.' },
  {
    name: 'Launch and lifecycle',
    description: 'Launch (sync or as a job), pause, resume and the campaign states.',
  },
  { name: 'Analytics', description: 'Stats, sends and exports of a campaign.' },
  {
    name: 'Webhooks',
    description:
      'Signed event deliveries to your endpoints (Standard Webhooks), their log and the event feed.',
  },
  {
    name: 'Unibox',
    description: 'Reply threads across campaigns and mailboxes: read, label and answer them.',
  },
  {
    name: 'Subsequences',
    description: 'Follow-up sequences that replies are routed into by their intent, in the same thread.',
  },
  {
    name: 'Inbox',
    description: 'Classify a raw message (reply, auto-reply, bounce, complaint) without storing it.',
  },
  { name: 'Suppressions', description: 'Addresses and domains never written to, workspace-wide.' },
  { name: 'Unsubscribe', description: 'The public one-click unsubscribe endpoints (RFC 8058), no auth.' },
  { name: 'Admin', description: 'Workspaces and API keys, guarded by the admin token.' },
];

/** `campaigns.create`, `campaignMailboxes.attach`, `apiKeys.list`. */
export const OPERATION_ID = /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

interface SpecLike {
  paths?: Record<string, object | undefined>;
}

/** Every rule an operation breaks, as `METHOD /path: problem` lines (empty when the spec is fine). */
export function specProblems(spec: SpecLike): string[] {
  const problems: string[] = [];
  const declared = new Set(TAGS.map((t) => t.name));
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, unknown> | undefined)?.[method] as
        | { operationId?: string; tags?: string[]; summary?: string; description?: string }
        | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) problems.push(`${where}: no operationId (add \`operationId: 'resource.verb'\`)`);
      else if (!OPERATION_ID.test(op.operationId))
        problems.push(`${where}: operationId ${op.operationId} is not in resource.verb form`);
      else if (seen.has(op.operationId))
        problems.push(`${where}: operationId ${op.operationId} is also used by ${seen.get(op.operationId)}`);
      if (op.operationId) seen.set(op.operationId, where);
      if (op.tags?.length !== 1) problems.push(`${where}: needs exactly one tag`);
      else if (!declared.has(op.tags[0] as string))
        problems.push(`${where}: tag "${op.tags[0]}" is not declared in lib/openapi-rules.ts TAGS`);
      if (!op.summary) problems.push(`${where}: no summary`);
    }
  }
  return problems;
}
