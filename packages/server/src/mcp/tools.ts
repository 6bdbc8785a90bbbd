import { replyBodies, replySubject } from '@outreach/shared';
import { attachMailboxRoute } from '../routes/campaign-mailboxes/attach';
import { createCampaignRoute } from '../routes/campaigns/create';
import { getCampaignRoute } from '../routes/campaigns/get';
import { listCampaignsRoute } from '../routes/campaigns/list';
import { getContactRoute } from '../routes/contacts/get';
import { listContactsRoute } from '../routes/contacts/list';
import { changeLifecycleRoute } from '../routes/lifecycle/change';
import { listMailboxesRoute } from '../routes/mailboxes/list';
import { preflightRoute } from '../routes/preflight/preflight';
import { putScheduleRoute } from '../routes/schedule/schedule';
import { getStatsRoute } from '../routes/stats/get';
import { createStepRoute } from '../routes/steps/create';
import { previewStepRoute } from '../routes/steps/preview';
import { createSubsequenceRoute } from '../routes/subsequences/create';
import { listSubsequencesRoute } from '../routes/subsequences/list';
import { setRoutingRoute } from '../routes/subsequences/routing';
import { addSuppressionsRoute } from '../routes/suppressions/add';
import { getThreadRoute } from '../routes/threads/get';
import { listThreadsRoute } from '../routes/threads/list';
import { replyThreadRoute } from '../routes/threads/reply';
import { ReplyBody } from '../routes/threads/schema';
import { updateThreadRoute } from '../routes/threads/update';
import { listDeliveriesRoute } from '../routes/webhooks/deliveries';
import { type Api, type ApiCall, type ApiResult, localProblem } from './api';
import {
  classifyMessageTool,
  confirmedRouteTool,
  importContactsTool,
  launchCampaignTool,
} from './flow-tools';
import { routeTool, type Tool } from './route-tool';

/** Hints for the tools that only read. */
const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
const CAMPAIGN = { id: 'campaignId' };

/**
 * Every MCP tool, in the order an agent walks the flow. A tool that is one route is one
 * `routeTool(route, {...})` entry: its arguments come from that route's zod schemas.
 */
export function mcpTools(): Tool[] {
  return [
    routeTool(listCampaignsRoute, {
      name: 'list_campaigns',
      description:
        'List the campaigns of the workspace, oldest first (one page: pass next_cursor as `cursor` for the next). Filter by `status`.',
      annotations: { ...READ, title: 'List campaigns' },
    }),
    routeTool(getCampaignRoute, {
      name: 'get_campaign',
      description: 'One campaign with its status, schedule, stop rules and routing policy.',
      rename: CAMPAIGN,
      annotations: { ...READ, title: 'Get a campaign' },
    }),
    routeTool(createCampaignRoute, {
      name: 'create_campaign',
      description:
        'Create a draft campaign `{name, priority?: HIGH|MEDIUM|LOW}`. Next: add_step, import_contacts, attach_mailbox, set_schedule.',
      annotations: {
        title: 'Create a campaign',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    }),
    routeTool(createStepRoute, {
      name: 'add_step',
      description:
        'Add an email step to a campaign: `order` (1 = first email), `subject`, `bodyHtml` (Mustache: {{firstName}}, {{company}}, {{firstName|there}}, {{unsubscribeUrl}}, …), `delayDays` from the previous send (the first step: from launch), optional A/B `variants`.',
      rename: CAMPAIGN,
      annotations: {
        title: 'Add a step',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    }),
    routeTool(previewStepRoute, {
      name: 'preview_step',
      description:
        'Render a step for one contact (and sender) without saving anything: `{subject, bodyHtml, bodyText, missingVariables}`.',
      annotations: { ...READ, title: 'Preview a step' },
    }),
    importContactsTool(),
    routeTool(listContactsRoute, {
      name: 'list_contacts',
      description:
        "A page of a campaign's contacts, oldest first; filter by `status` (pending, active, replied, bounced, …).",
      rename: CAMPAIGN,
      annotations: { ...READ, title: 'List contacts' },
    }),
    routeTool(listMailboxesRoute, {
      name: 'list_mailboxes',
      description:
        'The sending mailboxes registered in the workspace (address, daily limit, status, last login check). Attach one to a campaign by its address.',
      annotations: { ...READ, title: 'List mailboxes' },
    }),
    routeTool(attachMailboxRoute, {
      name: 'attach_mailbox',
      description:
        'Attach a registered mailbox to a campaign by `mailboxAddress`, with its `dailyLimit` and `weight` (and optional gaps between sends in seconds).',
      rename: CAMPAIGN,
      annotations: {
        title: 'Attach a mailbox',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    }),
    routeTool(putScheduleRoute, {
      name: 'set_schedule',
      description:
        'Set when a campaign sends: IANA `timezone`, `weekdays` (mon…sun) and `windows` [{start: "09:00", end: "17:00"}]. Replaces the previous schedule.',
      rename: CAMPAIGN,
      annotations: {
        title: 'Set the schedule',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    }),
    routeTool(preflightRoute, {
      name: 'run_preflight',
      description:
        'Check that a campaign can launch (steps, contacts, mailboxes, mailbox logins, schedule; warnings for missing variables and unsubscribe links). Logs in to each mailbox.',
      rename: CAMPAIGN,
      annotations: { ...READ, title: 'Run preflight', openWorldHint: true },
    }),
    launchCampaignTool(),
    routeTool(changeLifecycleRoute, {
      name: 'pause_campaign',
      description: 'Pause an active campaign: no new email is sent until it is resumed.',
      rename: CAMPAIGN,
      fixedBody: { action: 'pause' },
      annotations: {
        title: 'Pause a campaign',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    }),
    routeTool(changeLifecycleRoute, {
      name: 'resume_campaign',
      description: 'Resume a paused campaign: sending continues inside its schedule.',
      rename: CAMPAIGN,
      fixedBody: { action: 'resume' },
      annotations: {
        title: 'Resume a campaign',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    }),
    routeTool(getStatsRoute, {
      name: 'campaign_stats',
      description: "A campaign's counts: contacts by status, sends by outcome, per step and per variant.",
      rename: CAMPAIGN,
      annotations: { ...READ, title: 'Campaign stats' },
    }),
    routeTool(addSuppressionsRoute, {
      name: 'add_suppressions',
      description:
        'Never write to these addresses (or whole domains) again, in every campaign of the workspace.',
      annotations: {
        title: 'Add suppressions',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    }),
    routeTool(listThreadsRoute, {
      name: 'list_threads',
      description:
        'The Unibox: reply threads, newest activity first; filter by `replyIntent` (one or several), `campaignId`, `mailboxId`, `updatedSince`. Pass next_cursor as `cursor` for the next page.',
      annotations: { ...READ, title: 'List threads' },
    }),
    routeTool(getThreadRoute, {
      name: 'get_thread',
      description:
        'One Unibox thread: subject, last message, message count, reply intent, campaign and contact.',
      rename: { id: 'threadId' },
      annotations: { ...READ, title: 'Get a thread' },
    }),
    confirmedRouteTool(replyThreadRoute, {
      name: 'reply_to_thread',
      description:
        "Reply in a Unibox thread from its mailbox to its contact (`bodyText` and/or `bodyHtml`; counts toward the mailbox's daily limit). Without `confirm: true` it sends nothing and answers {confirmRequired: true, rendered: {to, subject, bodyHtml, bodyText}}: show that to the user and ask before calling again with confirm: true.",
      rename: { id: 'threadId' },
      annotations: {
        title: 'Reply to a thread',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
      preview: previewReply,
    }),
    routeTool(updateThreadRoute, {
      name: 'set_reply_intent',
      description:
        "Correct a thread's `replyIntent` label; subsequence routing and webhooks follow the corrected label.",
      rename: { id: 'threadId' },
      annotations: {
        title: 'Set the reply intent',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    }),
    routeTool(listSubsequencesRoute, {
      name: 'list_subsequences',
      description:
        "A campaign's subsequences (follow-up sequences replies are routed into) with their counts `{enrolled, active, completed}`.",
      rename: CAMPAIGN,
      annotations: { ...READ, title: 'List subsequences' },
    }),
    routeTool(createSubsequenceRoute, {
      name: 'create_subsequence',
      description:
        'Create a subsequence `{name, enrollmentMode: auto|manual}`; add its steps over the API. Next: set_subsequence_routing.',
      rename: CAMPAIGN,
      annotations: {
        title: 'Create a subsequence',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    }),
    routeTool(setRoutingRoute, {
      name: 'set_subsequence_routing',
      description:
        "Replace the campaign's reply-intent routing `{routingPolicy: {rules: [{trigger: 'reply_intent', value, subsequenceId}]}}`: first match wins; an auto subsequence takes the replying contact out of the main sequence.",
      rename: CAMPAIGN,
      annotations: {
        title: 'Set the subsequence routing',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    }),
    routeTool(listDeliveriesRoute, {
      name: 'list_webhook_deliveries',
      description:
        "A page of a webhook subscription's deliveries, newest first: event, status, attempts, the endpoint's last answer. For debugging an endpoint that misses events.",
      rename: { id: 'subscriptionId' },
      annotations: { ...READ, title: 'List webhook deliveries' },
    }),
    classifyMessageTool(),
  ];
}

/** The reply as `POST /threads/{id}/reply` would send it: the thread's contact, `Re:` subject, both bodies. */
async function previewReply(call: Omit<ApiCall, 'method' | 'path'>, api: Api): Promise<ApiResult> {
  const body = ReplyBody.safeParse(call.body ?? {});
  if (!body.success) {
    const errors = body.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return { ok: false, status: 422, body: localProblem(422, 'validation_failed', detail, errors) };
  }
  const thread = await api({ method: getThreadRoute.method, path: getThreadRoute.path, params: call.params });
  if (!thread.ok) return thread;
  const t = thread.body as { campaignId: string; contactId: string; subject_display: string };
  const contact = await api({
    method: getContactRoute.method,
    path: getContactRoute.path,
    params: { id: t.campaignId, contactId: t.contactId },
  });
  if (!contact.ok) return contact;
  const { html, text } = replyBodies(body.data);
  const to = (contact.body as { email: string }).email;
  return {
    ok: true,
    status: 200,
    body: { rendered: { to, subject: replySubject(t.subject_display), bodyHtml: html, bodyText: text } },
  };
}
