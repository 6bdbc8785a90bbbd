import type { Outreach, RequestOptions } from '../client';
import { APIError } from '../errors';
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
export async function fetchExport(
  client: Outreach,
  campaignId: string,
  kind: ExportKind,
  parseAs: 'json' | 'text' | 'stream',
  options: RequestOptions = {},
): Promise<unknown> {
  const query: Record<string, unknown> = { kind };
  if (client.workspaceId !== undefined) query.workspaceId = client.workspaceId;
  const { data, error, response } = await client.http.GET('/campaigns/{id}/export', {
    params: { path: { id: campaignId }, query: query as { kind: ExportKind } },
    parseAs,
    headers: {
      ...options.headers,
      Accept: parseAs === 'json' ? 'application/json' : 'text/csv, application/problem+json',
    },
    fetch: client._fetchWith(options),
  } as never);
  if (!response.ok) throw APIError.generate(response.status, error, response.headers);
  return data;
}
