import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';
import type { Step, StepCreateParams } from './steps';

export type Subsequence = components['schemas']['Subsequence'];
export type SubsequenceCreateParams = components['schemas']['CreateSubsequence'];
export type SubsequenceUpdateParams = components['schemas']['UpdateSubsequence'];
export type EnrollResult = components['schemas']['EnrollResult'];
export type RoutingPolicy = components['schemas']['RoutingPolicy'];
export type RoutingRule = components['schemas']['RoutingRule'];
export type SubsequenceStats = components['schemas']['SubsequenceStats'];

/** `client.campaigns.subsequences.steps`: a subsequence's steps (edit and delete them with `client.steps`). */
export class SubsequenceSteps extends APIResource {
  /** `POST /campaigns/{id}/subsequences/{subId}/steps`: a main step's shape; no `subject` → `Re: <thread subject>`. */
  create(
    campaignId: string,
    subsequenceId: string,
    body: StepCreateParams,
    options?: RequestOptions,
  ): APIPromise<Step> {
    return this._post(
      '/campaigns/{id}/subsequences/{subId}/steps',
      { path: { id: campaignId, subId: subsequenceId }, body },
      options,
    );
  }

  /** `GET /campaigns/{id}/subsequences/{subId}/steps`, by `order`. */
  list(campaignId: string, subsequenceId: string, options?: RequestOptions): PagePromise<Step> {
    return this._list(
      '/campaigns/{id}/subsequences/{subId}/steps',
      { path: { id: campaignId, subId: subsequenceId } },
      options,
    );
  }
}

/** `client.campaigns.subsequences`: follow-up sequences that replies are routed into by intent. */
export class Subsequences extends APIResource {
  readonly steps: SubsequenceSteps = new SubsequenceSteps(this._client);

  /** `POST /campaigns/{id}/subsequences` `{name, enrollmentMode: 'manual' | 'auto'}`. */
  create(
    campaignId: string,
    body: SubsequenceCreateParams,
    options?: RequestOptions,
  ): APIPromise<Subsequence> {
    return this._post('/campaigns/{id}/subsequences', { path: { id: campaignId }, body }, options);
  }

  /** `GET /campaigns/{id}/subsequences`, each with `counts: {enrolled, active, completed}`. */
  list(campaignId: string, options?: RequestOptions): PagePromise<Subsequence> {
    return this._list('/campaigns/{id}/subsequences', { path: { id: campaignId } }, options);
  }

  /** `GET /campaigns/{id}/subsequences/{subId}`. */
  get(campaignId: string, subsequenceId: string, options?: RequestOptions): APIPromise<Subsequence> {
    return this._get(
      '/campaigns/{id}/subsequences/{subId}',
      { path: { id: campaignId, subId: subsequenceId } },
      options,
    );
  }

  /** `PATCH /campaigns/{id}/subsequences/{subId}` `{name?, enrollmentMode?}`. */
  update(
    campaignId: string,
    subsequenceId: string,
    body: SubsequenceUpdateParams,
    options?: RequestOptions,
  ): APIPromise<Subsequence> {
    return this._patch(
      '/campaigns/{id}/subsequences/{subId}',
      { path: { id: campaignId, subId: subsequenceId }, body },
      options,
    );
  }

  /** `DELETE /campaigns/{id}/subsequences/{subId}`: a `ConflictError` while somebody is active in it. */
  delete(campaignId: string, subsequenceId: string, options?: RequestOptions): APIPromise<void> {
    return this._delete(
      '/campaigns/{id}/subsequences/{subId}',
      { path: { id: campaignId, subId: subsequenceId } },
      options,
    );
  }

  /** `POST …/enroll` `{contactIds}` (≤ 1,000) → `{enrolled, skipped: [{contactId, reason}]}`. */
  enroll(
    campaignId: string,
    subsequenceId: string,
    contactIds: string[],
    options?: RequestOptions,
  ): APIPromise<EnrollResult> {
    return this._post(
      '/campaigns/{id}/subsequences/{subId}/enroll',
      { path: { id: campaignId, subId: subsequenceId }, body: { contactIds } },
      options,
    );
  }
}
