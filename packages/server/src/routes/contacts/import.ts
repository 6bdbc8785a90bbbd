import { createRoute } from '@hono/zod-openapi';
import { importCsvSync, SYNC_MAX_BYTES, tooLargeForSync } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignParam, ImportCountsSchema } from './schema';
import { collect, csvUploadBody, streamUpload } from './upload';

export const importContactsRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/contacts/import',
  operationId: 'contacts.import',
  tags: ['Contacts'],
  summary: 'Import a CSV of contacts now (≤ 10,000 rows / 5 MB; larger files: POST /imports)',
  description:
    'Header names are recognised in any case and spelling (`email`, `E-mail`, `First Name`, `firstname`, `last`, `org`, `role`, …); other columns go to `customJson`. Upsert on (campaign, lower-cased email). Invalid rows are counted, never stored; suppressed addresses are stored `suppressed`.',
  request: {
    params: CampaignParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: csvUploadBody(),
  },
  responses: {
    200: {
      description: 'What was imported',
      content: { 'application/json': { schema: ImportCountsSchema } },
    },
    415: { description: 'The body is not multipart/form-data', content: errorResponses[422].content },
    ...errorResponses,
  },
});

export function registerImportContacts(app: App): void {
  app.openapi(importContactsRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const declared = Number(c.req.header('content-length') ?? 0);
    // Multipart framing adds a few hundred bytes; anything far over the limit is refused unread.
    if (declared > SYNC_MAX_BYTES + 64 * 1024)
      throw tooLargeForSync(`The body has ${declared} bytes, over ${SYNC_MAX_BYTES}`);
    const { result: bytes } = await streamUpload(c, (_f, chunks) =>
      collect(chunks, SYNC_MAX_BYTES, (n) =>
        tooLargeForSync(`The file has more than ${SYNC_MAX_BYTES} bytes (${n} read)`),
      ),
    );
    const counts = await importCsvSync(db, c.get('workspaceId'), c.req.valid('param').id, bytes, clock.now());
    return c.json(counts, 200);
  });
}
