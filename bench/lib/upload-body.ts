/** The benchmark CSV as a streamed multipart body (generated on the fly, never whole in memory). */

export const HEADER = 'email,first_name,last_name,company,title,plan,seats,region';

export function line(i: number): string {
  return `user${i}@example${i % 1000}.com,First${i},Last${i},Company ${i % 5000},Title ${i % 50},plan${i % 3},${i % 100},region${i % 7}`;
}

/** The CSV, 64 KB at a time, never whole in memory. */
export function* csvChunks(rows: number): Generator<string> {
  let buf = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    buf += `${line(i)}\n`;
    if (buf.length >= 64 * 1024) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function csvBytes(rows: number): number {
  let n = HEADER.length + 1;
  for (let i = 0; i < rows; i++) n += line(i).length + 1;
  return n;
}

export const BOUNDARY = '----outreachbench7f3a';
export function multipart(
  campaignId: string,
  rows: number,
): { body: ReadableStream<Uint8Array>; length: number } {
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="campaignId"\r\n\r\n${campaignId}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="large_leads.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${BOUNDARY}--\r\n`);
  const gen = csvChunks(rows);
  let stage = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (stage === 0) {
        stage = 1;
        ctrl.enqueue(head);
        return;
      }
      const next = gen.next();
      if (!next.done) {
        ctrl.enqueue(enc.encode(next.value));
        return;
      }
      ctrl.enqueue(tail);
      ctrl.close();
    },
  });
  return { body, length: head.length + csvBytes(rows) + tail.length };
}
