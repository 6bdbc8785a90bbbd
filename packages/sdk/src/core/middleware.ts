import type { Middleware } from 'openapi-fetch';
import { APIError, InvalidResponseError } from '../errors';
import type { Logger, LogLevel } from './log';
import { shouldLog } from './log';

export interface MiddlewareConfig {
  apiKey: string;
  workspaceId: number | undefined;
  defaultHeaders: Record<string, string | null | undefined>;
  defaultQuery: Record<string, string | number | boolean | undefined>;
  userAgent: string;
  logLevel: LogLevel;
  logger: Logger;
}

/** Admin routes take the admin token and no `?workspaceId=`. */
const ADMIN_PATH = /^\/(workspaces|api-keys)(\/|$)/;

/**
 * What makes a request an Outreach request, for resource methods and `client.http` alike:
 * `workspaceId` and the default query added, auth, `User-Agent` and default headers set; an
 * error status thrown as its `APIError` subclass; a 2xx that openapi-fetch would parse as JSON
 * but is not JSON thrown as `InvalidResponseError`. Retries live in the client's fetch, below.
 */
export function outreachMiddleware(cfg: MiddlewareConfig): Middleware {
  const started = new Map<string, number>();
  return {
    onRequest({ request, schemaPath, id }) {
      const url = new URL(request.url);
      for (const [k, v] of Object.entries(cfg.defaultQuery)) {
        if (v !== undefined && !url.searchParams.has(k)) url.searchParams.set(k, String(v));
      }
      if (
        cfg.workspaceId !== undefined &&
        !ADMIN_PATH.test(schemaPath) &&
        !url.searchParams.has('workspaceId')
      ) {
        // first, as the API reference writes it: `?workspaceId=42&limit=…`
        url.search = new URLSearchParams([
          ['workspaceId', String(cfg.workspaceId)],
          ...url.searchParams,
        ]).toString();
      }
      const headers = new Headers(request.headers);
      for (const [k, v] of Object.entries(cfg.defaultHeaders)) {
        if (v === null) headers.delete(k);
        else if (v !== undefined && !headers.has(k)) headers.set(k, v);
      }
      headers.set('Authorization', `Bearer ${cfg.apiKey}`);
      headers.set('User-Agent', cfg.userAgent);
      if (!headers.has('accept')) headers.set('Accept', 'application/json');
      if (shouldLog(cfg.logLevel, 'debug')) {
        started.set(id, Date.now());
        cfg.logger.debug(`outreach: ${request.method} ${url.pathname}${url.search}`);
      }
      return new Request(url, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
        redirect: request.redirect,
        // a streamed body (JSON text or multipart) must be sent half-duplex
        ...(request.body ? { duplex: 'half' } : {}),
      } as RequestInit);
    },
    async onResponse({ request, response, options, id }) {
      const t0 = started.get(id);
      started.delete(id);
      if (t0 !== undefined) {
        cfg.logger.debug(
          `outreach: ${request.method} ${new URL(request.url).pathname} → ${response.status} (${Date.now() - t0} ms)`,
        );
      }
      if (!response.ok) {
        const text = await response.text();
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {}
        const err = APIError.generate(response.status, body, response.headers);
        if (shouldLog(cfg.logLevel, response.status >= 500 ? 'error' : 'info')) {
          cfg.logger[response.status >= 500 ? 'error' : 'info'](
            `outreach: ${request.method} ${new URL(request.url).pathname}: ${err.message}`,
          );
        }
        throw err;
      }
      if (options.parseAs === 'json' && response.status !== 204) {
        const text = await response.clone().text();
        if (text !== '') {
          try {
            JSON.parse(text);
          } catch (cause) {
            throw new InvalidResponseError('The body is not valid JSON', response, text, { cause });
          }
        }
      }
      return undefined;
    },
  };
}
