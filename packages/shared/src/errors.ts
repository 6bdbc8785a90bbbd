/** A field that failed validation: `path` is dotted (`windows.1.end`, `mapping.org`). */
export interface FieldError {
  path: string;
  message: string;
}

const STATUS_BY_CODE: Record<string, number> = {
  bad_request: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  contact_bounced: 409,
  contact_suppressed: 409,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  invalid_transition: 409,
  preflight_failed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  template_too_complex: 422,
  rate_limited: 429,
  internal_error: 500,
};

/** The one error type: services throw it, the API turns it into problem+json. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldError[]; status?: number; [k: string]: unknown } = {},
  ) {
    super(message);
    this.status = extra.status ?? STATUS_BY_CODE[code] ?? 400;
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `${what} ${id} was not found`);
  }

  static validation(errors: FieldError[], message?: string): AppError {
    return new AppError(
      'validation_failed',
      message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      {
        errors,
      },
    );
  }
}
