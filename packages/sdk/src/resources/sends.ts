import type { RequestOptions } from '../client';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Send = components['schemas']['Send'];
export type SendStatus = components['schemas']['SendStatus'];
export type SendListParams = Omit<
  NonNullable<paths['/campaigns/{id}/sends']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;

/** The messages of a campaign: one send per (contact, step), with its delivery status. */
export class Sends extends APIResource {
  /**
   * `GET /campaigns/{id}/sends`, oldest first, filtered by `status` and/or `contactId`: `await` for
   * a page, `for await` for every send across pages.
   */
  list(campaignId: string, query?: SendListParams, options?: RequestOptions): PagePromise<Send> {
    return this._list('/campaigns/{id}/sends', { path: { id: campaignId }, query }, options);
  }
}
