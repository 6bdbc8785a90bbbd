import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import { parseJson, parseStream, parseText } from '../core/parse';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';
import { CampaignMailboxes } from './campaign-mailboxes';
import {
  type CampaignStats,
  type CsvExportKind,
  type ExportKind,
  type ExportSummary,
  fetchExport,
} from './exports';
import { type RoutingPolicy, Subsequences } from './subsequences';

export type Campaign = components['schemas']['Campaign'];
export type CampaignCreateParams = components['schemas']['CreateCampaign'];
export type CampaignUpdateParams = components['schemas']['UpdateCampaign'];
export type ScheduleParams = components['schemas']['PutSchedule'];
export type StopRulesParams = components['schemas']['PutStopRules'];
export type Preflight = components['schemas']['Preflight'];
export type PreflightCheck = components['schemas']['PreflightCheck'];
export type Launched = components['schemas']['Launched'];
export type LaunchQueued = components['schemas']['LaunchQueued'];
export interface LaunchParams {
  /** cap on the contacts enrolled over all launches (gradual rollout); absent = every pending contact. */
  limit?: number;
  /** true: answer at once with a job (`launchJobs.waitUntilDone`); default false. */
  async?: boolean;
}
export type CampaignListParams = Omit<
  NonNullable<paths['/campaigns']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;

export class Campaigns extends APIResource {
  /** `client.campaigns.mailboxes`: attach, list, update, detach, per-mailbox preflight. */
  readonly mailboxes: CampaignMailboxes = new CampaignMailboxes(this._client);
  /** `client.campaigns.subsequences`: create, list, get, update, delete, enroll, `steps`. */
  readonly subsequences: Subsequences = new Subsequences(this._client);

  /**
   * `PATCH /campaigns/{id}/subsequence-routing`: the reply-intent rules (first match wins) →
   * the stored policy (also on `get(id).routingPolicy`).
   */
  setRouting(id: string, routingPolicy: RoutingPolicy, options?: RequestOptions): APIPromise<RoutingPolicy> {
    return this._patch(
      '/campaigns/{id}/subsequence-routing',
      { path: { id }, body: { routingPolicy } },
      options,
    );
  }

  /** `PUT /campaigns/{id}/schedule` `{timezone, weekdays, windows}` → the stored schedule. */
  setSchedule(id: string, body: ScheduleParams, options?: RequestOptions) {
    return this._put('/campaigns/{id}/schedule', { path: { id }, body }, options);
  }

  /** `PUT /campaigns/{id}/stop-rules` → the stored stop rules. */
  setStopRules(id: string, body: StopRulesParams, options?: RequestOptions) {
    return this._put('/campaigns/{id}/stop-rules', { path: { id }, body }, options);
  }

  /** `GET /campaigns/{id}/preflight`: the checks, `blockingFailures` and a summary (logs in to the mailboxes). */
  preflight(id: string, options?: RequestOptions): APIPromise<Preflight> {
    return this._get('/campaigns/{id}/preflight', { path: { id } }, options);
  }

  /**
   * `POST /campaigns/{id}/launch`: preflight, then enrolment. Blocking failures reject with a
   * `ConflictError` (code `preflight_failed`, the checks in its body). With `async: true` it
   * resolves at once with `{jobId, status: 'queued'}`: wait with `client.launchJobs.waitUntilDone`.
   */
  launch(
    id: string,
    params: LaunchParams & { async: true },
    options?: RequestOptions,
  ): APIPromise<LaunchQueued>;
  launch(
    id: string,
    params?: LaunchParams & { async?: false },
    options?: RequestOptions,
  ): APIPromise<Launched>;
  launch(id: string, params?: LaunchParams, options?: RequestOptions): APIPromise<Launched | LaunchQueued>;
  launch(
    id: string,
    params: LaunchParams = {},
    options?: RequestOptions,
  ): APIPromise<Launched | LaunchQueued> {
    const query = {
      ...(params.limit === undefined ? {} : { limit: params.limit }),
      ...(params.async ? { async: 'true' as const } : {}),
    };
    return this._post('/campaigns/{id}/launch', { path: { id }, query }, options);
  }

  /** `POST /campaigns/{id}/lifecycle` `{action: 'pause'}`: stops new sends at once. */
  pause(id: string, options?: RequestOptions): APIPromise<Campaign> {
    return this._post('/campaigns/{id}/lifecycle', { path: { id }, body: { action: 'pause' } }, options);
  }

  /** `POST /campaigns/{id}/lifecycle` `{action: 'resume'}`. */
  resume(id: string, options?: RequestOptions): APIPromise<Campaign> {
    return this._post('/campaigns/{id}/lifecycle', { path: { id }, body: { action: 'resume' } }, options);
  }

  /** `POST /campaigns` → the new draft campaign. */
  create(body: CampaignCreateParams, options?: RequestOptions): APIPromise<Campaign> {
    return this._post('/campaigns', { body }, options);
  }

  /** `GET /campaigns/{id}` (with schedule, stop rules, routing policy). */
  get(id: string, options?: RequestOptions): APIPromise<Campaign> {
    return this._get('/campaigns/{id}', { path: { id } }, options);
  }

  /** `GET /campaigns`, oldest first: `await` for a page, `for await` for every campaign. */
  list(query?: CampaignListParams, options?: RequestOptions): PagePromise<Campaign> {
    return this._list('/campaigns', { query }, options);
  }

  /** `PATCH /campaigns/{id}` `{name?, priority?}`. */
  update(id: string, body: CampaignUpdateParams, options?: RequestOptions): APIPromise<Campaign> {
    return this._patch('/campaigns/{id}', { path: { id }, body }, options);
  }

  /** `DELETE /campaigns/{id}` (draft, paused or completed campaigns only). */
  delete(id: string, options?: RequestOptions): APIPromise<void> {
    return this._delete('/campaigns/{id}', { path: { id } }, options);
  }

  /** `GET /campaigns/{id}/stats`: contacts by status, sends by outcome, per step and per variant. */
  stats(id: string, options?: RequestOptions): APIPromise<CampaignStats> {
    return this._get('/campaigns/{id}/stats', { path: { id } }, options);
  }

  /**
   * `GET /campaigns/{id}/export`: `kind: 'summary'` (default) → the stats plus a per-step/variant
   * table; `'contacts'` or `'sends'` → the CSV text (header row first). For large CSV exports use
   * {@link exportStream}.
   */
  export(id: string, params?: { kind?: 'summary' }, options?: RequestOptions): APIPromise<ExportSummary>;
  export(id: string, params: { kind: CsvExportKind }, options?: RequestOptions): APIPromise<string>;
  export(
    id: string,
    params?: { kind?: ExportKind },
    options?: RequestOptions,
  ): APIPromise<ExportSummary | string>;
  export(
    id: string,
    params: { kind?: ExportKind } = {},
    options?: RequestOptions,
  ): APIPromise<ExportSummary | string> {
    const kind = params.kind ?? 'summary';
    return kind === 'summary'
      ? fetchExport<ExportSummary>(this._client, id, kind, parseJson, options)
      : fetchExport(this._client, id, kind, parseText, options);
  }

  /** `GET /campaigns/{id}/export` as the CSV's bytes while the server streams them (memory stays flat). */
  exportStream(
    id: string,
    params: { kind: CsvExportKind },
    options?: RequestOptions,
  ): APIPromise<ReadableStream<Uint8Array>> {
    return fetchExport(this._client, id, params.kind, parseStream, options);
  }
}
