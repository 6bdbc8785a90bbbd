import { Outreach } from './client';

export { Outreach };
export default Outreach;

export type { ClientOptions, RequestOptions } from './client';
export { APIPromise, type WithResponse } from './core/api-promise';
export type { Logger, LogLevel } from './core/log';
export {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type FieldError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  OutreachError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './errors';
export type { components, paths } from './generated/openapi';
export { type ListResponse, Page, PagePromise } from './pagination';
export { APIResource } from './resource';
export * from './resources/index';
export { VERSION } from './version';
export {
  unwrap,
  type WebhookEvent,
  type WebhookEventOf,
  type WebhookEventType,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks';

import type { components } from './generated/openapi';
/** Any schema of the spec by name, e.g. `Schema<'Campaign'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
export type Problem = Schema<'Problem'>;
export type Schedule = Schema<'Schedule'>;
export type StopRules = Schema<'StopRules'>;
