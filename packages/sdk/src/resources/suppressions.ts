import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Suppression = components['schemas']['Suppression'];
export type SuppressionStatus = components['schemas']['SuppressionStatus'];
export type SuppressionAddParams = components['schemas']['AddSuppressions'];
export type SuppressionAddResult = components['schemas']['AddSuppressionsResult'];
export type SuppressionListParams = Omit<
  NonNullable<paths['/campaigns/suppressions']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;

/** Workspace-wide do-not-contact list (addresses and domains). */
export class Suppressions extends APIResource {
  /**
   * `POST /campaigns/suppressions` `{emails, domains?, reason}` → `{added, alreadySuppressed}`.
   * Matching contacts of every campaign become `suppressed`; their waiting sends are canceled.
   */
  add(body: SuppressionAddParams, options?: RequestOptions): APIPromise<SuppressionAddResult> {
    return this._post('/campaigns/suppressions', { body }, options);
  }

  /** `GET /campaigns/suppressions/status?email=` → suppressed or not, by itself or by its domain. */
  status(email: string, options?: RequestOptions): APIPromise<SuppressionStatus> {
    return this._get('/campaigns/suppressions/status', { query: { email } }, options);
  }

  /** `GET /campaigns/suppressions`, oldest first: `await` for a page, `for await` for every entry. */
  list(query?: SuppressionListParams, options?: RequestOptions): PagePromise<Suppression> {
    return this._list('/campaigns/suppressions', { query }, options);
  }

  /** `DELETE /campaigns/suppressions?email=` (or `domain=`). Contacts it suppressed stay suppressed. */
  delete(target: { email: string } | { domain: string }, options?: RequestOptions): APIPromise<void> {
    return this._delete('/campaigns/suppressions', { query: target }, options);
  }
}
