import { z } from '@hono/zod-openapi';
import { CUSTOM_JSON_MAX_DEPTH, valueDepth } from '@outreach/shared';

/** `?workspaceId=` on every campaign-side route; defaults to the key's workspace. */
export const WorkspaceQuery = z.object({
  workspaceId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .openapi({ param: { name: 'workspaceId', in: 'query' }, example: 42 }),
});

export const PageQuery = WorkspaceQuery.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' } }),
});

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      example: 'import-batch-001',
      description: 'Replays the first response for the same key and body (24 h); another body → 409',
    }),
});

/** A path id with its prefix. */
export const pathId = (name: string, prefix: string, example: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: 'path' }, example, description: `\`${prefix}_…\`` });

export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-09T10:00:00Z' });

/** Any ISO 8601 instant with an offset; parsed to epoch ms. */
export const InstantInput = z
  .string()
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) &&
      !Number.isNaN(Date.parse(s)),
    {
      message: 'an ISO 8601 date-time with offset, e.g. 2026-03-09T00:00:00Z',
    },
  )
  .openapi({ format: 'date-time', example: '2026-03-09T00:00:00Z' });

export const listOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);

/** A contact's custom fields: an object nested at most {@link CUSTOM_JSON_MAX_DEPTH} deep (422 naming it). */
export const customJsonField = () =>
  z
    .record(z.string().max(100), z.unknown())
    .refine((v) => valueDepth(v, CUSTOM_JSON_MAX_DEPTH) <= CUSTOM_JSON_MAX_DEPTH, {
      message: `nests objects/arrays more than ${CUSTOM_JSON_MAX_DEPTH} deep`,
    });
