import type { Outreach, RequestOptions } from './client';
import type { APIPromise } from './core/api-promise';
import type { paths } from './generated/openapi';
import { type ListResponse, PagePromise } from './pagination';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Routes the server serves but `openapi/openapi.json` does not describe yet (their engineer is
 * still writing them). Calls to these are typed loosely; delete an entry once `pnpm openapi` has
 * generated it, and the resource method gets the generated types.
 */
export type PendingPaths = never;

/** Paths of the generated spec that have method `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];

type LooseOperation = {
  parameters: { path?: Record<string, string>; query?: Record<string, unknown> };
  requestBody?: { content: { 'application/json': unknown } };
  responses: { 200: { content: { 'application/json': unknown } } };
};

/** The operation object of `M` on `P` (loose for pending paths). */
export type Operation<P extends string, M extends HttpMethod> = P extends keyof paths
  ? NonNullable<paths[P][M]>
  : LooseOperation;

type Parameters_<O> = O extends { parameters: infer X } ? X : never;
export type PathParams<O> = NonNullable<Parameters_<O> extends { path?: infer X } ? X : never>;
/** True when the route has path params (`path` is then required). */
type NeedsPath<O> = Parameters_<O> extends { path: object } ? true : false;
export type QueryParams<O> = NonNullable<Parameters_<O> extends { query?: infer X } ? X : never>;

/** The JSON (or multipart) request body of an operation. */
export type RequestBody<O> = O extends { requestBody?: { content: infer C } }
  ? C extends Record<string, unknown>
    ? C[keyof C]
    : never
  : never;

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;

/** The body of the operation's 2xx answer (`undefined` for 204). */
export type SuccessBody<O> = O extends { responses: infer R }
  ? {
      [S in keyof R]: S extends 200 | 201 | 202 ? JsonOf<R[S]> : S extends 204 ? undefined : never;
    }[keyof R]
  : never;

/** The item type of a paged list operation. */
export type ListItem<O> = SuccessBody<O> extends { items: (infer I)[] } ? I : never;

/** What a helper call takes besides the path: path params (required when the route has some), query and body. */
export type CallArgs<O> = ([PathParams<O>] extends [never]
  ? { path?: undefined }
  : NeedsPath<O> extends true
    ? { path: PathParams<O> }
    : { path?: PathParams<O> }) & {
  query?: Omit<QueryParams<O>, 'workspaceId'> & { workspaceId?: number };
  body?: RequestBody<O>;
};

type ArgsParam<O> =
  NeedsPath<O> extends true
    ? [args: CallArgs<O>, options?: RequestOptions]
    : [args?: CallArgs<O>, options?: RequestOptions];

/**
 * Base of every resource. A resource method is one line: pick the helper for the HTTP method, give
 * the path exactly as the spec spells it, and pass path params / query / body; request and
 * response types come from the generated spec. `workspaceId` is added by the client.
 */
export abstract class APIResource {
  protected readonly _client: Outreach;

  constructor(client: Outreach) {
    this._client = client;
  }

  protected _get<P extends PathsWith<'get'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'get'>>
  ): APIPromise<SuccessBody<Operation<P, 'get'>>> {
    return this._client.request('get', path, args, options);
  }

  protected _post<P extends PathsWith<'post'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'post'>>
  ): APIPromise<SuccessBody<Operation<P, 'post'>>> {
    return this._client.request('post', path, args, options);
  }

  protected _put<P extends PathsWith<'put'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'put'>>
  ): APIPromise<SuccessBody<Operation<P, 'put'>>> {
    return this._client.request('put', path, args, options);
  }

  protected _patch<P extends PathsWith<'patch'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'patch'>>
  ): APIPromise<SuccessBody<Operation<P, 'patch'>>> {
    return this._client.request('patch', path, args, options);
  }

  protected _delete<P extends PathsWith<'delete'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'delete'>>
  ): APIPromise<SuccessBody<Operation<P, 'delete'>>> {
    return this._client.request('delete', path, args, options);
  }

  /**
   * A paged GET: `await` the result for one page, `for await` it for every item. The cursor is
   * passed as `?cursor=`; the other query params (filters, `limit`) stay the same for every page.
   */
  protected _list<P extends PathsWith<'get'> | PendingPaths>(
    path: P,
    ...[args, options]: ArgsParam<Operation<P, 'get'>>
  ): PagePromise<ListItem<Operation<P, 'get'>>> {
    type Item = ListItem<Operation<P, 'get'>>;
    const base = (args ?? {}) as { path?: unknown; query?: Record<string, unknown> };
    // widened: over the union of every GET path these types grow too large for TS to carry
    const at: string = path;
    const opts = options as RequestOptions | undefined;
    const fetchPage = (cursor: string | undefined): Promise<ListResponse<unknown>> =>
      this._client.request<ListResponse<unknown>>(
        'get',
        at,
        { ...base, query: { ...base.query, ...(cursor === undefined ? {} : { cursor }) } },
        opts,
      );
    return new PagePromise<Item>(fetchPage as (cursor: string | undefined) => Promise<ListResponse<Item>>);
  }
}
