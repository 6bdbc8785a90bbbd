import type { RequestOptions } from '../client';
import type { APIPromise } from '../core/api-promise';
import type { components } from '../generated/openapi';
import type { PagePromise } from '../pagination';
import { APIResource } from '../resource';

export type Workspace = components['schemas']['Workspace'];
export interface WorkspaceCreateParams {
  project_name: string;
  description?: string;
}

/** Admin (`new Outreach({ apiKey: process.env.OUTREACH_ADMIN_TOKEN })`): the workspaces of this server. */
export class Workspaces extends APIResource {
  /** `POST /workspaces` `{project_name, description?}` → `{workspace_id, project_name, description, createdAt}`. */
  create(body: WorkspaceCreateParams, options?: RequestOptions): APIPromise<Workspace> {
    return this._post('/workspaces', { body }, options);
  }

  /** `GET /workspaces`: every workspace (one page). */
  list(options?: RequestOptions): PagePromise<Workspace> {
    return this._list('/workspaces', {}, options);
  }
}
