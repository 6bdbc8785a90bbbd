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

/** Anything that answers `request` as the app does (the benches call it in-process). */
interface RequestApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** `POST /imports` with the streamed file; the new import's id and the body's size in bytes. */
export async function postImport(
  app: RequestApp,
  auth: Record<string, string>,
  workspaceId: number,
  campaignId: string,
  rows: number,
): Promise<{ importId: string; length: number }> {
  const { body, length } = multipart(campaignId, rows);
  const res = await app.request(`/imports?workspaceId=${workspaceId}`, {
    method: 'POST',
    headers: {
      ...auth,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(length),
    },
    body,
    duplex: 'half',
  } as RequestInit);
  const created = (await res.json()) as { importId: string };
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(created)}`);
  return { importId: created.importId, length };
}

/** The suggested mapping plus the three custom columns, confirmed (the worker takes it from there). */
export async function confirmImport(
  app: RequestApp,
  auth: Record<string, string>,
  workspaceId: number,
  importId: string,
): Promise<void> {
  const preview = (await (
    await app.request(`/imports/${importId}/mapping-preview?workspaceId=${workspaceId}`, { headers: auth })
  ).json()) as { suggestedMapping: Record<string, string> };
  const mapping = { ...preview.suggestedMapping, plan: 'plan', seats: 'seats', region: 'region' };
  const confirm = await app.request(`/imports/${importId}/mapping-confirm?workspaceId=${workspaceId}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ mapping }),
  });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${await confirm.text()}`);
}
