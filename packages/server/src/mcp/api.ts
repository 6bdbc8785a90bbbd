/**
 * How a tool reaches the API. The HTTP endpoint (`POST /mcp`) dispatches in process to the
 * route itself (`app.fetch`), and `outreach mcp` (stdio) goes over HTTP through the SDK: either
 * way a tool runs the real route (auth, validation, idempotency, events, problem+json), so a
 * tool cannot drift from the API it wraps.
 */
export interface ApiCall {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** As the spec spells it: `/campaigns/{id}/steps`. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  /** JSON, or a FormData for the CSV upload, or text sent as-is when `contentType` is given. */
  body?: unknown;
  /** The body is this media type, sent unserialized (`message/rfc822` for the classifier). */
  contentType?: string;
}

export type ApiResult =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number; body: Problem };

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
  [k: string]: unknown;
}

export type Api = (call: ApiCall) => Promise<ApiResult>;

/** `/campaigns/{id}` with `{id: 'cmp_1'}` → `/campaigns/cmp_1`. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** A problem made on this side (bad tool arguments, unknown tool), shaped like the server's. */
export function localProblem(
  status: number,
  code: string,
  detail: string,
  errors?: { path: string; message: string }[],
): Problem {
  return {
    type: `https://outreach.dev/problems/${code.replace(/_/g, '-')}`,
    title: status === 422 ? 'Unprocessable Content' : status === 404 ? 'Not Found' : 'Error',
    status,
    detail,
    code,
    requestId: '',
    ...(errors ? { errors } : {}),
  };
}
