import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components, paths } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Contact = components['schemas']['Contact'];
export type ContactStatus = components['schemas']['ContactStatus'];
export type ContactInput = components['schemas']['ContactInput'];
export type ContactUpdateParams = components['schemas']['UpdateContact'];
export type ContactChange = components['schemas']['ContactChange'];
export type ImportCounts = components['schemas']['ImportCounts'];
export type ContactListParams = Omit<
  NonNullable<paths['/campaigns/{id}/contacts']['get']['parameters']['query']>,
  'workspaceId' | 'cursor'
>;
export interface ContactChangesParams {
  /** changes at or after this instant (a `Date` or any ISO 8601 string with an offset). */
  updatedSince?: Date | string;
  limit?: number;
}

/** What a CSV upload takes: the text itself, its bytes, or a `Blob`/`File`. */
export type Uploadable = string | Blob | Uint8Array | ArrayBuffer;

/** A multipart body with the file (and any text fields), for the upload routes. */
export function uploadForm(
  file: Uploadable,
  fileName = 'contacts.csv',
  fields: Record<string, string> = {},
): FormData {
  // One Blob part, typed the same under the DOM lib (SDK build) and Node's types (repo check).
  type Part = NonNullable<ConstructorParameters<typeof Blob>[0]>[number];
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const blob =
    typeof Blob !== 'undefined' && file instanceof Blob
      ? file
      : new Blob([file as Part], { type: 'text/csv' });
  const name = typeof File !== 'undefined' && file instanceof File ? file.name : fileName;
  form.append('file', blob, name);
  return form;
}

/** A campaign's leads: CSV import (≤ 10,000 rows; larger files go through `imports`), JSON add, the feed of status changes. */
export class Contacts extends APIResource {
  /**
   * `POST /campaigns/{id}/contacts/import`: a CSV (text, bytes or Blob) imported at once →
   * `{imported, parsed, valid, invalid, upserted}`. Over 10,000 rows / 5 MB the server answers 413:
   * use `client.imports.create()`.
   */
  import(
    campaignId: string,
    file: Uploadable,
    options?: RequestOptions & { fileName?: string },
  ): APIPromise<ImportCounts> {
    const body = uploadForm(file, options?.fileName) as never;
    return this._post('/campaigns/{id}/contacts/import', { path: { id: campaignId }, body }, options);
  }

  /** `POST /campaigns/{id}/contacts`: up to 1,000 contacts as JSON, same upsert and counts as the CSV import. */
  add(campaignId: string, contacts: ContactInput[], options?: RequestOptions): APIPromise<ImportCounts> {
    return this._post('/campaigns/{id}/contacts', { path: { id: campaignId }, body: { contacts } }, options);
  }

  /** `GET /campaigns/{id}/contacts`, oldest first: `await` for a page, `for await` for every contact. */
  list(campaignId: string, query?: ContactListParams, options?: RequestOptions): PagePromise<Contact> {
    return this._list('/campaigns/{id}/contacts', { path: { id: campaignId }, query }, options);
  }

  /** `GET /campaigns/{id}/contacts/{contactId}`. */
  get(campaignId: string, contactId: string, options?: RequestOptions): APIPromise<Contact> {
    return this._get(
      '/campaigns/{id}/contacts/{contactId}',
      { path: { id: campaignId, contactId } },
      options,
    );
  }

  /** `PATCH /campaigns/{id}/contacts/{contactId}`: fields, custom fields (merged; null removes), status. */
  update(
    campaignId: string,
    contactId: string,
    body: ContactUpdateParams,
    options?: RequestOptions,
  ): APIPromise<Contact> {
    return this._patch(
      '/campaigns/{id}/contacts/{contactId}',
      { path: { id: campaignId, contactId }, body },
      options,
    );
  }

  /** `DELETE /campaigns/{id}/contacts/{contactId}` (its waiting sends are canceled). */
  delete(campaignId: string, contactId: string, options?: RequestOptions): APIPromise<void> {
    return this._delete(
      '/campaigns/{id}/contacts/{contactId}',
      { path: { id: campaignId, contactId } },
      options,
    );
  }

  /**
   * `GET /campaigns/{id}/contacts/changes`: one item per status change, oldest first (a new
   * contact is a change from `previousStatus: null`). `for await` walks every change.
   */
  changes(
    campaignId: string,
    params: ContactChangesParams = {},
    options?: RequestOptions,
  ): PagePromise<ContactChange> {
    const updatedSince =
      params.updatedSince instanceof Date ? params.updatedSince.toISOString() : params.updatedSince;
    return this._list(
      '/campaigns/{id}/contacts/changes',
      { path: { id: campaignId }, query: { updatedSince, limit: params.limit } },
      options,
    );
  }
}
