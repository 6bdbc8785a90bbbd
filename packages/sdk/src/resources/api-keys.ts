import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type ApiKey = components['schemas']['ApiKey'];
export type ApiKeyCreated = components['schemas']['ApiKeyCreated'];
export interface ApiKeyCreateParams {
  name?: string;
  /** default 365. */
  expiresInDays?: number;
}

/** Admin (`new Outreach({ apiKey: process.env.OUTREACH_ADMIN_TOKEN })`): the API keys of a workspace. */
export class ApiKeys extends APIResource {
  /** `POST /api-keys?workspace_id=` → `{api_key, name, workspace_id, expiration_date}`: the only time the key is shown. */
  create(
    workspaceId: number,
    body: ApiKeyCreateParams = {},
    options?: RequestOptions,
  ): APIPromise<ApiKeyCreated> {
    return this._post('/api-keys', { query: { workspace_id: workspaceId }, body }, options);
  }

  /** `GET /api-keys?workspace_id=`: prefix and last 4 characters, never the key. */
  list(workspaceId: number, options?: RequestOptions): PagePromise<ApiKey> {
    return this._list('/api-keys', { query: { workspace_id: workspaceId } }, options);
  }

  /** `DELETE /api-keys/{id}`: revoke. */
  delete(id: string, options?: RequestOptions): APIPromise<void> {
    return this._delete('/api-keys/{id}', { path: { id } }, options);
  }
}
