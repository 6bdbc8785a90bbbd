import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components, paths } from '../generated/openapi';
import { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Thread = components['schemas']['Thread'];
export type ThreadMessage = components['schemas']['ThreadMessage'];
export type ThreadMessages = components['schemas']['ThreadMessages'];
export type ReplyIntent = components['schemas']['ReplyIntent'];
export type ThreadReplyParams = components['schemas']['ThreadReply'];
type ListQuery = NonNullable<paths['/threads']['get']['parameters']['query']>;
export interface ThreadListParams
  extends Omit<ListQuery, 'workspaceId' | 'cursor' | 'replyIntent' | 'updatedSince'> {
  /** one intent or several (`replyIntent=interested&replyIntent=neutral`). */
  replyIntent?: ReplyIntent | ReplyIntent[];
  /** threads with activity at or after this instant (a `Date` or an ISO 8601 string with an offset). */
  updatedSince?: Date | string;
}

/** The Unibox: one thread per contact and mailbox, with every message in and out. */
export class Threads extends APIResource {
  /**
   * `GET /threads`, newest activity first: `await` for a page, `for await` for every thread.
   * (The wire shape is the Unibox's `{threads, next_cursor}`; pages expose them as `items`.)
   */
  list(params: ThreadListParams = {}, options?: RequestOptions): PagePromise<Thread> {
    const updatedSince =
      params.updatedSince instanceof Date ? params.updatedSince.toISOString() : params.updatedSince;
    const query = { ...params, updatedSince };
    return new PagePromise<Thread>(async (cursor) => {
      const page = await this._get(
        '/threads',
        { query: { ...query, ...(cursor === undefined ? {} : { cursor }) } as ListQuery },
        options,
      );
      return { items: page.threads, next_cursor: page.next_cursor };
    });
  }

  /** `GET /threads/{id}`. */
  get(id: string, options?: RequestOptions): APIPromise<Thread> {
    return this._get('/threads/{id}', { path: { id } }, options);
  }

  /** `GET /threads/{id}/messages`: oldest first, our sends and Unibox replies (outbound) and the inbound mail. */
  messages(id: string, options?: RequestOptions): APIPromise<ThreadMessages> {
    return this._get('/threads/{id}/messages', { path: { id } }, options);
  }

  /** `PATCH /threads/{id}`: correct the reply intent (webhooks and routing follow the new label). */
  update(id: string, body: { replyIntent: ReplyIntent }, options?: RequestOptions): APIPromise<Thread> {
    return this._patch('/threads/{id}', { path: { id }, body }, options);
  }

  /**
   * `POST /threads/{id}/reply`: sends from the thread's mailbox, in the thread. Retries reuse one
   * Idempotency-Key (pass your own in `options.idempotencyKey` to make a retry across processes safe).
   */
  reply(id: string, body: ThreadReplyParams, options?: RequestOptions): APIPromise<ThreadMessage> {
    return this._post('/threads/{id}/reply', { path: { id }, body }, options);
  }
}
