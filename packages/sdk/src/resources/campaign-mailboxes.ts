import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type CampaignMailbox = components['schemas']['CampaignMailbox'];
export type CampaignMailboxCreateParams = components['schemas']['AttachMailbox'];
export type CampaignMailboxUpdateParams = components['schemas']['UpdateCampaignMailbox'];
export type MailboxPreflightItem = components['schemas']['MailboxPreflightItem'];

/** `client.campaigns.mailboxes`: the mailboxes a campaign sends from. */
export class CampaignMailboxes extends APIResource {
  /** `POST /campaigns/{id}/mailboxes` `{mailboxAddress, dailyLimit, weight, gapBaseSeconds?, gapJitterSeconds?}`. */
  create(
    campaignId: string,
    body: CampaignMailboxCreateParams,
    options?: RequestOptions,
  ): APIPromise<CampaignMailbox> {
    return this._post('/campaigns/{id}/mailboxes', { path: { id: campaignId }, body }, options);
  }

  /** `GET /campaigns/{id}/mailboxes` (one short page: `await` it or `for await` the items). */
  list(campaignId: string, options?: RequestOptions): PagePromise<CampaignMailbox> {
    return this._list('/campaigns/{id}/mailboxes', { path: { id: campaignId } }, options);
  }

  /** `PATCH /campaigns/{id}/mailboxes/{cmbId}`: limit, weight, gaps, `state: 'active' | 'paused'`. */
  update(
    campaignId: string,
    campaignMailboxId: string,
    body: CampaignMailboxUpdateParams,
    options?: RequestOptions,
  ): APIPromise<CampaignMailbox> {
    return this._patch(
      '/campaigns/{id}/mailboxes/{cmbId}',
      { path: { id: campaignId, cmbId: campaignMailboxId }, body },
      options,
    );
  }

  /** `DELETE /campaigns/{id}/mailboxes/{cmbId}`: detach (prefer `state: 'paused'` once it has sent). */
  delete(campaignId: string, campaignMailboxId: string, options?: RequestOptions): APIPromise<void> {
    return this._delete(
      '/campaigns/{id}/mailboxes/{cmbId}',
      { path: { id: campaignId, cmbId: campaignMailboxId } },
      options,
    );
  }

  /** `GET /campaigns/{id}/mailbox-preflight`: per mailbox, SMTP and IMAP logins, limit, sends today, state. */
  preflight(campaignId: string, options?: RequestOptions): APIPromise<MailboxPreflightItem[]> {
    return this._get('/campaigns/{id}/mailbox-preflight', { path: { id: campaignId } }, options)._thenUnwrap(
      (res) => res.items,
    );
  }
}
