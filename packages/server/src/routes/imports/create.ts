import { createRoute } from '@hono/zod-openapi';
import {
  AppError,
  ASYNC_MAX_BYTES,
  createImport,
  discardUpload,
  newImportId,
  type StoredUpload,
  storeUpload,
} from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { csvUploadBody, streamUpload } from '../contacts/upload';
import { ImportCreatedSchema } from './schema';

export const createImportRoute = createRoute({
  method: 'post',
  path: '/imports',
  operationId: 'imports.create',
  tags: ['Imports'],
  summary: 'Upload a large CSV (up to 512 MB) for a mapping preview and background import',
  description:
    'The file is streamed into the database in 1 MB blobs (API and worker may run on different machines). Then `GET /imports/{importId}/mapping-preview`, `POST /imports/{importId}/mapping-confirm`, and poll `GET /imports/{importId}/status`.',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: csvUploadBody({ campaignId: { type: 'string', example: 'cmp_abc123' } }, ['campaignId']),
  },
  responses: {
    202: {
      description: 'Stored, waiting for a mapping',
      content: { 'application/json': { schema: ImportCreatedSchema } },
    },
    415: { description: 'The body is not multipart/form-data', content: errorResponses[422].content },
    ...errorResponses,
  },
});

export function registerCreateImport(app: App): void {
  app.openapi(createImportRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > ASYNC_MAX_BYTES + 64 * 1024) {
      throw new AppError(
        'payload_too_large',
        `The body has ${declared} bytes; imports take files up to ${ASYNC_MAX_BYTES} bytes`,
      );
    }
    const id = newImportId(clock.now());
    let upload: { fields: Record<string, string>; fileName: string | null; result: StoredUpload };
    try {
      upload = await streamUpload(c, (_f, bytes) =>
        storeUpload(db, id, bytes, { maxBytes: ASYNC_MAX_BYTES }),
      );
    } catch (err) {
      await discardUpload(db, id);
      throw err;
    }
    const campaignId = upload.fields.campaignId?.trim();
    if (!campaignId) {
      await discardUpload(db, id);
      throw AppError.validation([{ path: 'campaignId', message: 'the campaign to import into is required' }]);
    }
    const imp = await createImport(
      db,
      c.get('workspaceId'),
      { id, campaignId, fileName: upload.fileName, upload: upload.result },
      clock.now(),
    );
    return c.json({ importId: imp.id, status: imp.status, campaignId: imp.campaignId }, 202);
  });
}
