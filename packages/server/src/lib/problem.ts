import { z } from '@hono/zod-openapi';
import type { FieldError } from '@outreach/shared';
import type { Context } from 'hono';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'validation_failed' }),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi('Problem');

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** RFC 9457 problem+json. */
export function problem(
  c: Context,
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[]; [k: string]: unknown } = {},
): Response {
  const body = {
    type: `https://outreach.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    requestId: (c.get('requestId' as never) as string | undefined) ?? '',
    ...extra,
  };
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'x-request-id': body.requestId,
  };
  // RFC 9110: a 401 names the scheme it wants (MCP clients look for it too).
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="outreach"';
  return new Response(JSON.stringify(body), { status, headers });
}

/** Turns zod issues into `{path, message}` with dotted paths. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** Spread into every route's `responses` so the spec names the shared errors. */
export const errorResponses = {
  400: { description: 'Malformed request (e.g. invalid JSON)', content: problemContent },
  401: { description: 'Missing, invalid or expired API key', content: problemContent },
  403: { description: 'The key does not belong to this workspace', content: problemContent },
  404: { description: 'Not found (or belongs to another workspace)', content: problemContent },
  409: { description: 'Conflict', content: problemContent },
  413: { description: 'Body too large', content: problemContent },
  422: { description: 'Validation failed; `errors` names every failing field', content: problemContent },
} as const;
