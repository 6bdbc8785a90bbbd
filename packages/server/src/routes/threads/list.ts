import { createRoute } from '@hono/zod-openapi';
import { AppError, listThreads } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { ThreadListQuery, ThreadListSchema, toThread } from './schema';

export const listThreadsRoute = createRoute({
  method: 'get',
  path: '/threads',
  operationId: 'threads.list',
  tags: ['Unibox'],
  summary: 'List threads, newest activity first',
  request: { query: ThreadListQuery },
  responses: {
    200: { description: 'A page of threads', content: { 'application/json': { schema: ThreadListSchema } } },
    ...errorResponses,
  },
});

/** The cursor holds the last thread's (updatedAt, id): keyset on the list's own order. */
function position(cursor: string | undefined): { updatedAt: number; id: string } | null {
  const after = decodeCursor(cursor);
  if (after === null) return null;
  const m = /^(\d+):(thr_[0-9a-z]+)$/.exec(after);
  if (!m) throw AppError.validation([{ path: 'cursor', message: 'not a cursor returned by this API' }]);
  return { updatedAt: Number(m[1]), id: m[2]! };
}

export function registerListThreads(app: App): void {
  app.openapi(listThreadsRoute, async (c) => {
    const q = c.req.valid('query');
    const intents =
      q.replyIntent === undefined ? [] : Array.isArray(q.replyIntent) ? q.replyIntent : [q.replyIntent];
    const rows = await listThreads(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      after: position(q.cursor),
      replyIntents: intents,
      campaignId: q.campaignId,
      mailboxId: q.mailboxId,
      updatedSince: q.updatedSince === undefined ? undefined : Date.parse(q.updatedSince),
    });
    const more = rows.length > q.limit;
    const shown = more ? rows.slice(0, q.limit) : rows;
    const last = shown[shown.length - 1];
    return c.json(
      {
        threads: shown.map(toThread),
        next_cursor: more && last ? encodeCursor(`${last.updatedAt}:${last.id}`) : null,
      },
      200,
    );
  });
}
