import type { Client } from 'openapi-fetch';
import * as openapiFetch from 'openapi-fetch';
import { APIPromise, type ResponseParser } from './core/api-promise';
import { isLogLevel, type Logger, type LogLevel } from './core/log';
import { outreachMiddleware } from './core/middleware';
import { parseJson } from './core/parse';
import * as Errors from './errors';
import type { paths } from './generated/openapi';
import type { HttpMethod } from './resource';
import { ApiKeys } from './resources/api-keys';
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
import { Workspaces } from './resources/workspaces';
import { type Fetch, retryingFetch } from './retry';
import { VERSION } from './version';

export interface ClientOptions {
  /** `osk_…` (or the admin token for `workspaces` / `apiKeys`); default `process.env.OUTREACH_API_KEY`. */
  apiKey?: string | undefined;
  /** Default `process.env.OUTREACH_URL`, else `http://localhost:8080`. */
  baseURL?: string | undefined;
  /**
   * Added as `?workspaceId=` to every campaign-side call; default `process.env.OUTREACH_WORKSPACE_ID`.
   * Without it the server uses the key's own workspace.
   */
  workspaceId?: number | undefined;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number | undefined;
  /** Per attempt, in ms (default 60 000). */
  timeout?: number | undefined;
  /** A fetch to use instead of `globalThis.fetch` (proxies, tests). */
  fetch?: Fetch | undefined;
  /** Sent with every request (a `null` value removes a header). */
  defaultHeaders?: Record<string, string | null | undefined> | undefined;
  /** Added to every request's query string. */
  defaultQuery?: Record<string, string | number | boolean | undefined> | undefined;
  /** `debug` logs every request; default `process.env.OUTREACH_LOG`, else `warn`. */
  logLevel?: LogLevel | undefined;
  /** Where logs go (default `console`). */
  logger?: Logger | undefined;
  /** @deprecated use `baseURL`. */
  baseUrl?: string | undefined;
  /** @deprecated use `timeout`. */
  timeoutMs?: number | undefined;
}

/** Per-call overrides, the last argument of every resource method. */
export interface RequestOptions {
  /** `Idempotency-Key` for a POST (default: a fresh `sdk_<uuid>`, reused by the call's retries). */
  idempotencyKey?: string | undefined;
  maxRetries?: number | undefined;
  /** Per attempt, in ms. */
  timeout?: number | undefined;
  /** @deprecated use `timeout`. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string> | undefined;
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

/** The resources call arbitrary spec paths (typed at the resource layer), so this client is untyped. */
type UntypedPaths = Record<string, any>;

export class Outreach {
  static readonly Outreach = Outreach;
  static readonly VERSION = VERSION;
  static readonly OutreachError = Errors.OutreachError;
  static readonly APIError = Errors.APIError;
  static readonly BadRequestError = Errors.BadRequestError;
  static readonly AuthenticationError = Errors.AuthenticationError;
  static readonly PermissionDeniedError = Errors.PermissionDeniedError;
  static readonly NotFoundError = Errors.NotFoundError;
  static readonly ConflictError = Errors.ConflictError;
  static readonly UnprocessableEntityError = Errors.UnprocessableEntityError;
  static readonly RateLimitError = Errors.RateLimitError;
  static readonly InternalServerError = Errors.InternalServerError;
  static readonly APIConnectionError = Errors.APIConnectionError;
  static readonly APITimeoutError = Errors.APITimeoutError;
  static readonly APIUserAbortError = Errors.APIUserAbortError;
  static readonly InvalidResponseError = Errors.InvalidResponseError;

  readonly baseURL: string;
  readonly workspaceId: number | undefined;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly logLevel: LogLevel;
  /**
   * The typed openapi-fetch client, for routes without a resource method: `{data, response}` with
   * workspaceId, auth, retries and errors applied exactly as for resource methods (an error
   * status throws its `APIError` subclass).
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
  /** Admin: use with `apiKey: OUTREACH_ADMIN_TOKEN`. */
  readonly workspaces: Workspaces;
  /** Admin: use with `apiKey: OUTREACH_ADMIN_TOKEN`. */
  readonly apiKeys: ApiKeys;
  readonly threads: Threads;
  readonly inbox: Inbox;
  readonly webhooks: Webhooks;

  readonly #options: ClientOptions;
  readonly #fetch: Fetch | undefined;
  readonly #raw: Client<UntypedPaths>;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? env('OUTREACH_API_KEY');
    if (!apiKey) {
      throw new Errors.OutreachError(
        'Missing API key: pass `new Outreach({ apiKey })` or set OUTREACH_API_KEY',
      );
    }
    const workspaceId =
      options.workspaceId ??
      (env('OUTREACH_WORKSPACE_ID') ? Number(env('OUTREACH_WORKSPACE_ID')) : undefined);
    if (workspaceId !== undefined && !(Number.isInteger(workspaceId) && workspaceId > 0)) {
      throw new Errors.OutreachError(`workspaceId must be a positive integer, got ${String(workspaceId)}`);
    }
    const logLevel = options.logLevel ?? env('OUTREACH_LOG') ?? 'warn';
    if (!isLogLevel(logLevel)) {
      throw new Errors.OutreachError(`logLevel must be debug, info, warn, error or off, got ${logLevel}`);
    }
    this.#options = options;
    this.baseURL = (options.baseURL ?? options.baseUrl ?? env('OUTREACH_URL') ?? DEFAULT_BASE_URL).replace(
      /\/+$/,
      '',
    );
    this.workspaceId = workspaceId;
    this.maxRetries = options.maxRetries ?? 2;
    this.timeout = options.timeout ?? options.timeoutMs ?? 60_000;
    this.logLevel = logLevel;
    this.#fetch = options.fetch;

    const middleware = outreachMiddleware({
      apiKey,
      workspaceId,
      defaultHeaders: options.defaultHeaders ?? {},
      defaultQuery: options.defaultQuery ?? {},
      userAgent: `outreach-sdk-node/${VERSION}`,
      logLevel,
      logger: options.logger ?? console,
    });
    this.http = createClient<paths>({ baseUrl: this.baseURL, fetch: this._fetchWith() });
    this.http.use(middleware);
    this.#raw = createClient<UntypedPaths>({ baseUrl: this.baseURL, fetch: this._fetchWith() });
    this.#raw.use(middleware);

    this.campaigns = new Campaigns(this);
    this.mailboxes = new Mailboxes(this);
    this.launchJobs = new LaunchJobs(this);
    this.steps = new Steps(this);
    this.contacts = new Contacts(this);
    this.imports = new Imports(this);
    this.suppressions = new Suppressions(this);
    this.sends = new Sends(this);
    this.workspaces = new Workspaces(this);
    this.apiKeys = new ApiKeys(this);
    this.threads = new Threads(this);
    this.inbox = new Inbox(this);
    this.webhooks = new Webhooks(this);
  }

  /** A new client with these options over this one's (`client.withOptions({ maxRetries: 0 })`). */
  withOptions(options: ClientOptions): Outreach {
    return new Outreach({ ...this.#options, ...options });
  }

  /** The retrying fetch for one call (per-call options win over the client's). */
  _fetchWith(options: RequestOptions = {}): Fetch {
    return retryingFetch({
      maxRetries: options.maxRetries ?? this.maxRetries,
      timeoutMs: options.timeout ?? options.timeoutMs ?? this.timeout,
      signal: options.signal,
      idempotencyKey: options.idempotencyKey,
      fetch: this.#fetch,
    });
  }

  /**
   * One API call by its spec path (`'/campaigns/{id}'`, path params in `args.path`): the same
   * middleware as every resource method. Resolves with the parsed 2xx body (`parse` for other
   * bodies); rejects with an `APIError` subclass, or `InvalidResponseError` for a body that is
   * not the JSON promised. With `options.contentType` the body is sent as it is, with that type.
   */
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    args: { path?: unknown; query?: Record<string, unknown> | undefined; body?: unknown } = {},
    options: RequestOptions & { accept?: string; contentType?: string } = {},
    parse: ResponseParser<T> = parseJson,
  ): APIPromise<T> {
    const headers = {
      ...options.headers,
      ...(options.accept ? { Accept: options.accept } : {}),
      ...(options.contentType ? { 'Content-Type': options.contentType } : {}),
    };
    const response = this.#raw
      .request(method, path, {
        params: { path: args.path as Record<string, string>, query: args.query },
        body: args.body,
        // a body of its own media type (`contentType`) goes as it is, text or bytes
        ...(options.contentType ? { bodySerializer: (b: unknown) => b as string } : {}),
        headers,
        fetch: this._fetchWith(options),
        parseAs: 'stream',
      })
      .then((r) => r.response);
    return new APIPromise(response, parse);
  }
}

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name];
  return value === '' ? undefined : value;
}
