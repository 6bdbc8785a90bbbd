import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Step = components['schemas']['Step'];
export type Variant = components['schemas']['Variant'];
export type StepCreateParams = components['schemas']['CreateStep'];
export type StepUpdateParams = components['schemas']['UpdateStep'];
export type StepPreviewParams = components['schemas']['StepPreviewRequest'];
export type StepPreview = components['schemas']['StepPreview'];

/** The email sequence of a campaign. Note the seed's paths: update/delete take the step id alone. */
export class Steps extends APIResource {
  /** `POST /campaigns/{id}/steps`: `delayDays` is stored and returned as `delaySeconds`. */
  create(campaignId: string, body: StepCreateParams, options?: RequestOptions): APIPromise<Step> {
    return this._post('/campaigns/{id}/steps', { path: { id: campaignId }, body }, options);
  }

  /** `GET /campaigns/{id}/steps`, by `order` (one short page; `for await` works as for any list). */
  list(campaignId: string, options?: RequestOptions): PagePromise<Step> {
    return this._list('/campaigns/{id}/steps', { path: { id: campaignId } }, options);
  }

  /** `PATCH /campaigns/steps/{stepId}`: any field, including `order`, `delayDays`, `variants`. */
  update(stepId: string, body: StepUpdateParams, options?: RequestOptions): APIPromise<Step> {
    return this._patch('/campaigns/steps/{stepId}', { path: { stepId }, body }, options);
  }

  /** `DELETE /campaigns/steps/{stepId}`. */
  delete(stepId: string, options?: RequestOptions): APIPromise<void> {
    return this._delete('/campaigns/steps/{stepId}', { path: { stepId } }, options);
  }

  /** `POST /campaigns/steps/preview`: renders a step for one contact (and sender). */
  preview(body: StepPreviewParams, options?: RequestOptions): APIPromise<StepPreview> {
    return this._post('/campaigns/steps/preview', { body }, options);
  }
}
