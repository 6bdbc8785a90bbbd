import { AppError } from '@outreach/shared';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { bodyChunks, multipartBoundary, readUpload } from '../../lib/multipart';

/** OpenAPI body of the CSV upload routes (documented only: the body is streamed, not validated up front). */
export const csvUploadBody = (extra: Record<string, unknown> = {}, required: string[] = []) => ({
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        properties: {
          ...extra,
          file: {
            type: 'string' as const,
            format: 'binary',
            description: 'CSV with a header row (UTF-8; `,` `;` or tab)',
          },
        },
        required: [...required, 'file'],
      },
    },
  },
});

/** The multipart boundary of the request, or 415 naming what is expected. */
export function requireMultipart(c: Context<AppEnv>): string {
  const boundary = multipartBoundary(c.req.header('content-type'));
  if (!boundary) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data with a `file` part', {
      errors: [{ path: 'content-type', message: 'expected multipart/form-data' }],
    });
  }
  return boundary;
}

/**
 * Streams the multipart body, handing the `file` part to `onFile` as it arrives.
 * 422 naming `file` when there is no file part.
 */
export async function streamUpload<T>(
  c: Context<AppEnv>,
  onFile: (
    file: { name: string | null; contentType: string | null },
    bytes: AsyncIterable<Uint8Array>,
  ) => Promise<T>,
): Promise<{ fields: Record<string, string>; fileName: string | null; result: T }> {
  const boundary = requireMultipart(c);
  const { fields, file, result } = await readUpload(bodyChunks(c.req.raw.body), boundary, 'file', onFile);
  if (!file || result === undefined) {
    throw AppError.validation([{ path: 'file', message: 'a CSV file part named `file` is required' }]);
  }
  return { fields, fileName: file.name, result };
}

/** Collects a file part up to `max` bytes; over it → `tooLarge()`. */
export async function collect(
  bytes: AsyncIterable<Uint8Array>,
  max: number,
  tooLarge: (size: number) => Error,
): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of bytes) {
    size += chunk.byteLength;
    if (size > max) throw tooLarge(size);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts, size);
}
