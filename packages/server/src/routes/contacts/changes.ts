import { createRoute, z } from '@hono/zod-openapi';
import { AppError, type ChangesCursor, getCampaign, iso, listContactChanges } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { InstantInput, PageQuery } from '../../lib/schemas';
import { CampaignParam, ContactChangeSchema, toChange } from './schema';

export const contactChangesRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/contacts/changes',
  operationId: 'contacts.changes',
  tags: ['Contacts'],
  summary: 'Status changes of the campaign’s contacts since a time, oldest first',
  description:
    'One item per status change; a new contact is a change from `previousStatus: null` (with the status it was created with). Poll with the last `updatedAt` seen, or follow `next_cursor`.',
  request: {
    params: CampaignParam,
    query: PageQuery.extend({
      updatedSince: InstantInput.optional().openapi({
        param: { name: 'updatedSince', in: 'query' },
        description: 'default: the beginning',
      }),
    }),
  },
  responses: {
    200: {
      description: 'A page of changes',
      content: {
        'application/json': {
          schema: z
            .object({
              items: z.array(ContactChangeSchema),
              next_cursor: z.string().nullable(),
              updated_since: z.string().nullable(),
            })
            .openapi('ContactChangeList'),
        },
      },
    },
    ...errorResponses,
  },
});

function parseCursor(raw: string | undefined): ChangesCursor | null {
  const s = decodeCursor(raw);
  if (s === null) return null;
  try {
    const v = JSON.parse(s) as ChangesCursor;
    const okC = v.c === null || typeof v.c === 'string';
    const okE =
      v.e === null || (Array.isArray(v.e) && typeof v.e[0] === 'number' && typeof v.e[1] === 'string');
    if (okC && okE) return { c: v.c, e: v.e };
  } catch {}
  throw AppError.validation([{ path: 'cursor', message: 'not a cursor returned by this API' }]);
}

export function registerContactChanges(app: App): void {
  app.openapi(contactChangesRoute, async (c) => {
    const { db } = c.get('deps');
    const q = c.req.valid('query');
    const campaign = await getCampaign(db, c.get('workspaceId'), c.req.valid('param').id);
    const since = q.updatedSince ? Date.parse(q.updatedSince) : 0;
    const res = await listContactChanges(db, campaign.workspaceId, campaign.id, {
      since,
      cursor: parseCursor(q.cursor),
      limit: q.limit,
    });
    return c.json(
      {
        items: res.items.map(toChange),
        next_cursor: res.cursor ? encodeCursor(JSON.stringify(res.cursor)) : null,
        updated_since: q.updatedSince ? iso(since) : null,
      },
      200,
    );
  });
}
