import type { RequestOptions } from '../client';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';
import { type CampaignStats, type CsvExportKind, type ExportSummary, fetchExport } from './exports';

export type Campaign = components['schemas']['Campaign'];
export type CampaignCreateParams = components['schemas']['CreateCampaign'];
export type CampaignUpdateParams = components['schemas']['UpdateCampaign'];
export type CampaignListParams = Omit<
  NonNullable<paths['/campaigns']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;

export class Campaigns extends APIResource {
  /** `POST /campaigns` → the new draft campaign. */
  create(body: CampaignCreateParams, options?: RequestOptions): Promise<Campaign> {
    return this._post('/campaigns', { body }, options);
  }

  /** `GET /campaigns/{id}` (with schedule, stop rules, routing policy). */
  get(id: string, options?: RequestOptions): Promise<Campaign> {
    return this._get('/campaigns/{id}', { path: { id } }, options);
  }

  /** `GET /campaigns`, oldest first: `await` for a page, `for await` for every campaign. */
  list(query?: CampaignListParams, options?: RequestOptions): PagePromise<Campaign> {
    return this._list('/campaigns', { query }, options);
  }

  /** `PATCH /campaigns/{id}` `{name?, priority?}`. */
  update(id: string, body: CampaignUpdateParams, options?: RequestOptions): Promise<Campaign> {
    return this._patch('/campaigns/{id}', { path: { id }, body }, options);
  }

  /** `DELETE /campaigns/{id}` (draft, paused or completed campaigns only). */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this._delete('/campaigns/{id}', { path: { id } }, options);
  }

  /** `GET /campaigns/{id}/stats`: contacts by status, sends by outcome, per step and per variant. */
  stats(id: string, options?: RequestOptions): Promise<CampaignStats> {
    return this._get('/campaigns/{id}/stats', { path: { id } }, options);
  }

  /**
   * `GET /campaigns/{id}/export`: `kind: 'summary'` (default) → the stats plus a per-step/variant
   * table; `'contacts'` or `'sends'` → the CSV text (header row first). For large CSV exports use
   * {@link exportStream}.
   */
  export(id: string, params?: { kind?: 'summary' }, options?: RequestOptions): Promise<ExportSummary>;
  export(id: string, params: { kind: CsvExportKind }, options?: RequestOptions): Promise<string>;
  export(
    id: string,
    params: { kind?: 'summary' | CsvExportKind } = {},
    options?: RequestOptions,
  ): Promise<ExportSummary | string> {
    const kind = params.kind ?? 'summary';
    return fetchExport(this._client, id, kind, kind === 'summary' ? 'json' : 'text', options) as Promise<
      ExportSummary | string
    >;
  }

  /** `GET /campaigns/{id}/export` as the CSV's bytes while the server streams them (memory stays flat). */
  exportStream(
    id: string,
    params: { kind: CsvExportKind },
    options?: RequestOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    return fetchExport(this._client, id, params.kind, 'stream', options) as Promise<
      ReadableStream<Uint8Array>
    >;
  }
}
