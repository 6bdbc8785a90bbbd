import type { Outreach, RequestOptions } from '../client';
import type { APIPromise, ResponseParser } from '../core/api-promise';
import type { components } from '../generated/openapi';

export type CampaignStats = components['schemas']['CampaignStats'];
export type ExportSummary = components['schemas']['ExportSummary'];
export type ExportKind = 'summary' | 'contacts' | 'sends';
export type CsvExportKind = Exclude<ExportKind, 'summary'>;

/**
 * `GET /campaigns/{id}/export` read as JSON, text or a byte stream (the CSV kinds are streamed by
 * the server, so a stream keeps a large export out of memory). Errors become `APIError`s as for
 * every other call; retries apply until the response headers arrive.
 */
export function fetchExport<T>(
  client: Outreach,
  campaignId: string,
  kind: ExportKind,
  parse: ResponseParser<T>,
  options: RequestOptions = {},
): APIPromise<T> {
  return client.request(
    'get',
    '/campaigns/{id}/export',
    { path: { id: campaignId }, query: { kind } },
    { ...options, accept: kind === 'summary' ? 'application/json' : 'text/csv, application/problem+json' },
    parse,
  );
}
