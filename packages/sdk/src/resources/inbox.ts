import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import { APIResource } from '../resource';

export type Classification = components['schemas']['Classification'];

/** The inbox's classifier, for a look at why a message was labelled as it was. */
export class Inbox extends APIResource {
  /**
   * `POST /inbox/classify`: the raw RFC 822 message (text or bytes, ≤ 10 MB) → its kind, intent,
   * out-of-office date, bounce or complaint details and the reasons. Nothing is stored.
   */
  classify(raw: string | Uint8Array, options: RequestOptions = {}): APIPromise<Classification> {
    return this._client.request<Classification>(
      'post',
      '/inbox/classify',
      { body: raw },
      { ...options, contentType: 'message/rfc822' },
    );
  }
}
