import { z } from '@hono/zod-openapi';
import { importContactsRoute } from '../routes/contacts/import';
import { classifyRoute } from '../routes/inbox/classify';
import { launchRoute } from '../routes/launch/launch';
import { preflightRoute } from '../routes/preflight/preflight';
import { getStatsRoute } from '../routes/stats/get';
import type { Api, ApiCall, ApiResult } from './api';
import { type RouteLike, type RouteToolSpec, routeArgs, type Tool } from './route-tool';

/** `import_contacts`: the CSV as text, sent to the sync import route as the multipart file it takes. */
export function importContactsTool(): Tool {
  const args = routeArgs(
    importContactsRoute,
    { id: 'campaignId' },
    z.object({
      csv: z
        .string()
        .min(1)
        .describe(
          'The CSV text, header row first (email, firstName, lastName, company, title, any custom column)',
        ),
    }),
  );
  return {
    name: 'import_contacts',
    description:
      'Import contacts into a campaign from CSV text (header row first; up to 10,000 rows / 1 MB here). Upserts on the lower-cased email; invalid rows are counted, never stored; suppressed addresses are stored as suppressed. Returns {imported, parsed, valid, invalid, upserted}.',
    annotations: {
      title: 'Import contacts',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    inputSchema: args.schema,
    async run(input, api) {
      const split = args.split(input);
      if (!split.ok) return split.result;
      const form = new FormData();
      form.append('file', new Blob([String(input.csv)], { type: 'text/csv' }), 'contacts.csv');
      return api({
        method: importContactsRoute.method,
        path: importContactsRoute.path,
        ...split.call,
        body: form,
      });
    },
  };
}

/** `classify_message`: the raw message as text, sent to the classifier as the message/rfc822 body it takes. */
export function classifyMessageTool(): Tool {
  const args = routeArgs(
    classifyRoute,
    {},
    z.object({
      raw: z
        .string()
        .min(1)
        .describe('The whole RFC 822 message as text: headers, a blank line, then the body (MIME parts too)'),
    }),
  );
  return {
    name: 'classify_message',
    description:
      'Classify a raw email as the inbox loop would, storing nothing: {kind: reply|auto_reply|bounce|complaint|notification, replyIntent, isOoo, oooUntil, bounce, complaint, text (the reply without quotes and signature), reasons}. For asking why a reply was labelled as it was.',
    annotations: {
      title: 'Classify a message',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    inputSchema: args.schema,
    async run(input, api) {
      const split = args.split(input);
      if (!split.ok) return split.result;
      return api({
        method: classifyRoute.method,
        path: classifyRoute.path,
        ...split.call,
        body: String(input.raw ?? ''),
        contentType: 'message/rfc822',
      });
    },
  };
}

export interface ConfirmedToolSpec extends RouteToolSpec {
  /**
   * What the call would do, answered without `confirm: true` (nothing changes then): merged into
   * `{confirmRequired: true, …}`. Gets the route's path/query/body split of the arguments.
   */
  preview(call: Omit<ApiCall, 'method' | 'path'>, api: Api): Promise<ApiResult>;
}

/**
 * A tool that sends email to people (`launch_campaign`, `reply_to_thread`): the route runs only
 * with `confirm: true`; without it the tool answers `{confirmRequired: true, ...preview}`.
 */
export function confirmedRouteTool(route: RouteLike, spec: ConfirmedToolSpec): Tool {
  const args = routeArgs(
    route,
    spec.rename,
    z.object({
      confirm: z
        .boolean()
        .optional()
        .describe(
          'true to do it (email goes out). Without it nothing changes: the answer says what would happen.',
        ),
    }),
  );
  return {
    name: spec.name,
    description: spec.description,
    annotations: { ...spec.annotations, title: spec.annotations.title ?? spec.name },
    inputSchema: args.schema,
    async run(input, api) {
      const split = args.split(input);
      if (!split.ok) return split.result;
      if (input.confirm === true) return api({ method: route.method, path: route.path, ...split.call });
      const preview = await spec.preview(split.call, api);
      if (!preview.ok) return preview;
      return { ok: true, status: 200, body: { confirmRequired: true, ...(preview.body as object) } };
    },
  };
}

/** `launch_campaign`: without `confirm`, the preflight and how many contacts the launch would enrol. */
export function launchCampaignTool(): Tool {
  return confirmedRouteTool(launchRoute, {
    name: 'launch_campaign',
    description:
      'Launch a campaign: runs preflight, then enrols pending contacts (at most `limit` over all launches) and starts sending inside the schedule. Without `confirm: true` it changes nothing and answers {confirmRequired: true, preflight, wouldEnrol}: show that to the user and ask before calling again with confirm: true.',
    rename: { id: 'campaignId' },
    annotations: {
      title: 'Launch a campaign',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: true,
    },
    async preview(call, api) {
      const params = call.params;
      const preflight = await api({ method: preflightRoute.method, path: preflightRoute.path, params });
      if (!preflight.ok) return preflight;
      const stats = await api({ method: getStatsRoute.method, path: getStatsRoute.path, params });
      if (!stats.ok) return stats;
      const c = (stats.body as { contacts: { total: number; pending: number; suppressed: number } }).contacts;
      // The launch enrols pending contacts up to `limit` minus those enrolled by earlier launches.
      const enrolledBefore = c.total - c.pending - c.suppressed;
      const limit = call.query?.limit as number | undefined;
      const wouldEnrol =
        limit === undefined ? c.pending : Math.max(0, Math.min(c.pending, limit - enrolledBefore));
      return { ok: true, status: 200, body: { preflight: preflight.body, wouldEnrol } };
    },
  });
}
