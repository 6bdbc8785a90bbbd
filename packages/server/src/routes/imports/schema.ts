import { z } from '@hono/zod-openapi';
import { type ImportRow, importProgress } from '@outreach/shared';
import { RowErrorSchema } from '../contacts/schema';

export const ImportStatusSchema = z
  .enum(['pending_mapping', 'queued', 'processing', 'completed', 'failed'])
  .openapi('ImportStatus');

export const ImportIdParam = z.object({
  importId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'importId', in: 'path' }, example: 'imp_xyz789' }),
});

export const ImportCreatedSchema = z
  .object({
    importId: z.string().openapi({ example: 'imp_xyz789' }),
    status: ImportStatusSchema.openapi({ example: 'pending_mapping' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
  })
  .openapi('ImportCreated');

export const MappingPreviewSchema = z
  .object({
    columns: z.array(z.string()).openapi({ example: ['email', 'first_name', 'last', 'org', 'role'] }),
    suggestedMapping: z.record(z.string(), z.string().nullable()).openapi({
      example: { email: 'email', first_name: 'firstName', last: 'lastName', org: 'company', role: 'title' },
    }),
    sampleRows: z.array(z.record(z.string(), z.string())).openapi({ description: 'the first 5 data rows' }),
  })
  .openapi('MappingPreview');

export const MappingConfirmBody = z
  .object({
    mapping: z.record(z.string(), z.string().nullable()).openapi({
      description:
        'csv column → `email`, `firstName`, `lastName`, `company`, `title`, any other name (a custom field), or null (dropped); absent columns are dropped',
      example: { email: 'email', first_name: 'firstName', last: 'lastName', org: 'company', role: 'title' },
    }),
  })
  .openapi('MappingConfirm');

export const ImportQueuedSchema = z
  .object({ importId: z.string(), status: ImportStatusSchema.openapi({ example: 'queued' }) })
  .openapi('ImportQueued');

export const ImportStatusBodySchema = z
  .object({
    importId: z.string().openapi({ example: 'imp_xyz789' }),
    status: ImportStatusSchema,
    totalRows: z
      .number()
      .int()
      .openapi({ example: 5000, description: 'data rows read so far (final once completed)' }),
    imported: z.number().int().openapi({
      example: 4950,
      description: 'contacts stored so far: distinct addresses among the valid rows',
    }),
    duplicates: z.number().int().openapi({
      example: 0,
      description:
        '(ext) valid rows repeating an address earlier in the file (rows read = imported + duplicates + invalid)',
    }),
    invalid: z.number().int().openapi({ example: 50 }),
    errors: z.array(RowErrorSchema).openapi({ description: 'the first 100 invalid rows' }),
    progress: z.number().min(0).max(1).openapi({ example: 1, description: 'share of the file processed' }),
    error: z.string().nullable().openapi({ description: '(ext) why a failed import failed' }),
  })
  .openapi('ImportStatusBody');

export function toStatus(imp: ImportRow): z.infer<typeof ImportStatusBodySchema> {
  return {
    importId: imp.id,
    status: imp.status,
    totalRows: imp.status === 'completed' || imp.status === 'failed' ? imp.totalRows : imp.processedRows,
    imported: imp.imported,
    duplicates: Math.max(
      0,
      (imp.status === 'completed' || imp.status === 'failed' ? imp.totalRows : imp.processedRows) -
        imp.invalid -
        imp.imported,
    ),
    invalid: imp.invalid,
    errors: imp.errors,
    progress: importProgress(imp),
    error: imp.error,
  };
}
