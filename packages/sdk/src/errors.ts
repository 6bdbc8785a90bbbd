/** One failing field of a 422 (or any problem that names fields). */
export interface FieldError {
  path: string;
  message: string;
}

/** Every error this SDK throws extends this class. */
export class OutreachError extends Error {
  override name = 'OutreachError';
}

/**
 * The server answered with an error status. Built from the RFC 9457 problem+json body:
 * `code` is the stable snake_case code to branch on (`validation_failed`, `not_found`,
 * `invalid_transition`, `preflight_failed`, `idempotency_conflict`, …).
 */
export class APIError extends OutreachError {
  override name = 'APIError';
  /** HTTP status. */
  readonly status: number;
  /** Stable snake_case error code from the problem body (`undefined` if the body was not problem+json). */
  readonly code: string | undefined;
  /** The server's request id (body `requestId`, else the `X-Request-Id` header): quote it in bug reports. */
  readonly requestId: string | undefined;
  /** Human-readable explanation from the problem body. */
  readonly detail: string | undefined;
  /** Every failing field, for validation errors; `[]` otherwise. */
  readonly errors: FieldError[];
  readonly headers: Headers;
  /** The parsed response body (problem+json object, or the raw text if it was not JSON). */
  readonly body: unknown;

  constructor(status: number, body: unknown, headers: Headers, message?: string) {
    const problem = isObject(body) ? body : {};
    const code = str(problem.code);
    const detail = str(problem.detail);
    const errors = Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [];
    super(message ?? describe(status, code, detail ?? (typeof body === 'string' ? body : undefined), errors));
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.requestId = str(problem.requestId) || headers.get('x-request-id') || undefined;
    this.headers = headers;
    this.body = body;
  }

  /** The subclass for `status` (e.g. 404 → NotFoundError). */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const Ctor = status >= 500 ? InternalServerError : (BY_STATUS[status] ?? APIError);
    return new Ctor(status, body, headers);
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/**
 * A 2xx answer whose body is not what the API promises (not JSON, cut short, a proxy's HTML
 * page…). Never a raw `SyntaxError`.
 */
export class InvalidResponseError extends OutreachError {
  override name = 'InvalidResponseError';
  readonly status: number;
  readonly headers: Headers;
  /** The body as received (text). */
  readonly body: string;
  readonly requestId: string | undefined;

  constructor(message: string, response: Response, body: string, options?: { cause?: unknown }) {
    super(`${message} (status ${response.status})`, options);
    this.status = response.status;
    this.headers = response.headers;
    this.body = body;
    this.requestId = response.headers.get('x-request-id') ?? undefined;
  }
}

/** The request never got an HTTP answer (refused, reset, DNS…), after every retry. */
export class APIConnectionError extends OutreachError {
  override name = 'APIConnectionError';
  constructor(message = 'Connection error', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No answer within `timeoutMs`, after every retry. */
export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
  constructor(message = 'Request timed out', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller's `signal` aborted the request (never retried). */
export class APIUserAbortError extends OutreachError {
  override name = 'APIUserAbortError';
  constructor(message = 'Request was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function describe(
  status: number,
  code: string | undefined,
  detail: string | undefined,
  errors: FieldError[],
): string {
  let msg = code ? `${status} ${code}` : `${status}`;
  if (detail) msg += `: ${detail}`;
  if (errors.length > 0) msg += ` (${errors.map((e) => `${e.path}: ${e.message}`).join('; ')})`;
  return msg;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isFieldError(v: unknown): v is FieldError {
  return isObject(v) && typeof v.path === 'string' && typeof v.message === 'string';
}
