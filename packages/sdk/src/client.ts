import type { Client } from 'openapi-fetch';
import * as openapiFetch from 'openapi-fetch';
import { APIError, OutreachError } from './errors';
import type { paths } from './generated/openapi';
import type { HttpMethod } from './resource';
import { Campaigns } from './resources/campaigns';
import { Contacts } from './resources/contacts';
import { Imports } from './resources/imports';
import { Inbox } from './resources/inbox';
import { LaunchJobs } from './resources/launch-jobs';
import { Mailboxes } from './resources/mailboxes';
import { Sends } from './resources/sends';
import { Steps } from './resources/steps';
import { Suppressions } from './resources/suppressions';
import { Threads } from './resources/threads';
import { Webhooks } from './resources/webhooks';
import { type Fetch, retryingFetch } from './retry';

export interface ClientOptions {
  /** `osk_…`; default `process.env.OUTREACH_API_KEY`. */
  apiKey?: string;
  /** Default `process.env.OUTREACH_URL`, else `http://localhost:8080`. */
  baseUrl?: string;
  /**
   * Added as `?workspaceId=` to every campaign-side call; default `process.env.OUTREACH_WORKSPACE_ID`.
   * Without it the server uses the key's own workspace.
   */
  workspaceId?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Per attempt (default 60 000). */
  timeoutMs?: number;
  /** A fetch to use instead of `globalThis.fetch` (proxies, tests). */
  fetch?: Fetch;
  /** Sent with every request. */
  defaultHeaders?: Record<string, string>;
}

/** Per-call overrides, the last argument of every resource method. */
export interface RequestOptions {
  /** `Idempotency-Key` for a POST (default: a fresh `sdk_<uuid>`, reused by the call's retries). */
  idempotencyKey?: string;
  maxRetries?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

const DEFAULT_BASE_URL = 'http://localhost:8080';

/**
 * openapi-fetch's default export. Our CommonJS build imports its CommonJS file in Node's manner
 * (`default` = the whole `module.exports`), so the function may sit one `default` deeper.
 */
const createClient: typeof openapiFetch.default = (() => {
  const d = openapiFetch.default as unknown as { default?: typeof openapiFetch.default };
  return typeof d === 'function' ? (d as unknown as typeof openapiFetch.default) : d.default!;
})();

export class Outreach {
  readonly baseUrl: string;
  readonly workspaceId: number | undefined;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  /**
   * The underlying typed openapi-fetch client (auth header set, retries on). For routes without a
   * resource yet; it returns `{data, error, response}` instead of throwing.
   */
  readonly http: Client<paths>;

  readonly campaigns: Campaigns;
  readonly mailboxes: Mailboxes;
  readonly launchJobs: LaunchJobs;
  readonly steps: Steps;
  readonly contacts: Contacts;
  readonly imports: Imports;
  readonly suppressions: Suppressions;
  readonly sends: Sends;
  readonly threads: Threads;
  readonly inbox: Inbox;
  readonly webhooks: Webhooks;

  readonly #fetch: Fetch | undefined;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? env('OUTREACH_API_KEY');
    if (!apiKey) {
      throw new OutreachError('Missing API key: pass `new Outreach({ apiKey })` or set OUTREACH_API_KEY');
    }
    const workspaceId =
      options.workspaceId ??
      (env('OUTREACH_WORKSPACE_ID') ? Number(env('OUTREACH_WORKSPACE_ID')) : undefined);
    if (workspaceId !== undefined && !(Number.isInteger(workspaceId) && workspaceId > 0)) {
      throw new OutreachError(`workspaceId must be a positive integer, got ${String(workspaceId)}`);
    }
    this.baseUrl = (options.baseUrl ?? env('OUTREACH_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.workspaceId = workspaceId;
    this.maxRetries = options.maxRetries ?? 2;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.#fetch = options.fetch;
    this.http = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: { ...options.defaultHeaders, Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
      fetch: this._fetchWith(),
    });
    this.campaigns = new Campaigns(this);
    this.mailboxes = new Mailboxes(this);
    this.launchJobs = new LaunchJobs(this);
    this.steps = new Steps(this);
    this.contacts = new Contacts(this);
    this.imports = new Imports(this);
    this.suppressions = new Suppressions(this);
    this.sends = new Sends(this);
    this.threads = new Threads(this);
    this.inbox = new Inbox(this);
    this.webhooks = new Webhooks(this);
  }

  /** The retrying fetch for one call (per-call options win over the client's). */
  _fetchWith(options: RequestOptions = {}): Fetch {
    return retryingFetch({
      maxRetries: options.maxRetries ?? this.maxRetries,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      signal: options.signal,
      idempotencyKey: options.idempotencyKey,
      fetch: this.#fetch,
    });
  }

  /**
   * One API call: path params substituted, `workspaceId` added to the query, JSON body sent,
   * retried as configured; resolves with the parsed 2xx body, rejects with an `APIError` subclass.
   * Resources call it through `APIResource`'s typed helpers.
   */
  async request<T>(
    method: HttpMethod,
    path: string,
    args: { path?: unknown; query?: Record<string, unknown>; body?: unknown } = {},
    options: RequestOptions = {},
  ): Promise<T> {
    const query =
      this.workspaceId === undefined ? args.query : { workspaceId: this.workspaceId, ...args.query };
    // openapi-fetch's typed signature needs a literal path; here the path is checked by the helpers.
    const call = this.http.request as unknown as (
      method: string,
      path: string,
      init: Record<string, unknown>,
    ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    const { data, error, response } = await call(method, path, {
      params: { path: args.path, query },
      body: args.body,
      headers: options.headers,
      fetch: this._fetchWith(options),
    });
    if (!response.ok) throw APIError.generate(response.status, error, response.headers);
    return data as T;
  }
}

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name];
  return value === '' ? undefined : value;
}
