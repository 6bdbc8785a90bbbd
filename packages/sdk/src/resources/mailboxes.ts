import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Mailbox = components['schemas']['Mailbox'];
export type MailboxCreateParams = components['schemas']['CreateMailbox'];
export type MailboxUpdateParams = components['schemas']['UpdateMailbox'];
export type MailboxListParams = Omit<
  NonNullable<paths['/mailboxes']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;

/** The sending identities (SMTP + IMAP) a campaign attaches by address. Passwords are write-only. */
export class Mailboxes extends APIResource {
  /** `POST /mailboxes` → the mailbox (`status: unverified`; never its passwords). */
  create(body: MailboxCreateParams, options?: RequestOptions): APIPromise<Mailbox> {
    return this._post('/mailboxes', { body }, options);
  }

  /** `GET /mailboxes/{id}`. */
  get(id: string, options?: RequestOptions): APIPromise<Mailbox> {
    return this._get('/mailboxes/{id}', { path: { id } }, options);
  }

  /** `GET /mailboxes`, oldest first: `await` for a page, `for await` for every mailbox. */
  list(query?: MailboxListParams, options?: RequestOptions): PagePromise<Mailbox> {
    return this._list('/mailboxes', { query }, options);
  }

  /** `PATCH /mailboxes/{id}`: a settings or password change sets it `unverified` until verified again. */
  update(id: string, body: MailboxUpdateParams, options?: RequestOptions): APIPromise<Mailbox> {
    return this._patch('/mailboxes/{id}', { path: { id }, body }, options);
  }

  /** `DELETE /mailboxes/{id}` (409 while a campaign uses it). */
  delete(id: string, options?: RequestOptions): APIPromise<void> {
    return this._delete('/mailboxes/{id}', { path: { id } }, options);
  }

  /**
   * `POST /mailboxes/{id}/verify`: logs in to SMTP and IMAP now. Resolves with the mailbox whether
   * or not the logins worked: read `status` and `lastCheck.smtp/imap.error` (the server's words).
   */
  verify(id: string, options?: RequestOptions): APIPromise<Mailbox> {
    return this._post('/mailboxes/{id}/verify', { path: { id } }, options);
  }
}
