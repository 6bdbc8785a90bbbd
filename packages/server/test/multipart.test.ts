import { describe, expect, it } from 'vitest';
import { multipartBoundary, readMultipart, readUpload } from '../src/lib/multipart';

async function encoded(fd: FormData): Promise<{ bytes: Uint8Array; boundary: string }> {
  const req = new Request('http://x/', { method: 'POST', body: fd });
  const boundary = multipartBoundary(req.headers.get('content-type'))!;
  return { bytes: new Uint8Array(await req.arrayBuffer()), boundary };
}

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

describe('streaming multipart reader', () => {
  it('reads fields and the file the same whatever the chunking (1, 7, 4096 bytes, whole)', async () => {
    const file = new Uint8Array(20_000).map((_, i) => (i * 31) % 256);
    // Bytes that look like a delimiter start inside the file.
    file.set(Buffer.from('\r\n--not-the-boundary\r\n'), 100);
    const fd = new FormData();
    fd.append('campaignId', 'cmp_1');
    fd.append('file', new Blob([file]), 'leads.csv');
    fd.append('note', 'é, "quoted"\r\nsecond line');
    const { bytes, boundary } = await encoded(fd);
    for (const size of [1, 7, 4096, bytes.length]) {
      const got: Buffer[] = [];
      const res = await readUpload(pieces(bytes, size), boundary, 'file', async (meta, chunks) => {
        for await (const c of chunks) got.push(Buffer.from(c));
        return meta;
      });
      expect(res.fields).toEqual({ campaignId: 'cmp_1', note: 'é, "quoted"\r\nsecond line' });
      expect(res.file).toEqual({ name: 'leads.csv', contentType: 'application/octet-stream' });
      expect(Buffer.concat(got).equals(Buffer.from(file))).toBe(true);
    }
  });

  it('an empty file part, a body without a closing boundary, a content type without boundary', async () => {
    const fd = new FormData();
    fd.append('file', new Blob([]), 'empty.csv');
    const { bytes, boundary } = await encoded(fd);
    const tokens = [];
    for await (const t of readMultipart(pieces(bytes, 3), boundary)) tokens.push(t.type);
    expect(tokens).toEqual(['part', 'end']);
    const cut = bytes.slice(0, bytes.length - boundary.length - 6);
    await expect(async () => {
      for await (const _ of readMultipart(pieces(cut, 5), boundary)) {
      }
    }).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
  });
});
