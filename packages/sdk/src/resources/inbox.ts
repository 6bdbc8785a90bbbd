import type { RequestOptions } from '../client';
import { APIError } from '../errors';
import type { components } from '../generated/openapi';
import { APIResource } from '../resource';

export type Classification = components['schemas']['Classification'];

/** The inbox's classifier, for a look at why a message was labelled as it was. */
export class Inbox extends APIResource {
  /**
   * `POST /inbox/classify`: the raw RFC 822 message (text or bytes, ≤ 10 MB) → its kind, intent,
   * out-of-office date, bounce or complaint details and the reasons. Nothing is stored.
   */
  async classify(raw: string | Uint8Array, options: RequestOptions = {}): Promise<Classification> {
    const client = this._client;
    const { data, error, response } = await client.http.POST('/inbox/classify', {
      params: { query: client.workspaceId === undefined ? {} : { workspaceId: client.workspaceId } },
      body: raw as never,
      bodySerializer: (b: unknown) => b as string,
      headers: { ...options.headers, 'content-type': 'message/rfc822' },
      fetch: client._fetchWith(options),
    } as never);
    if (!response.ok) throw APIError.generate(response.status, error, response.headers);
    return data as unknown as Classification;
  }
}
