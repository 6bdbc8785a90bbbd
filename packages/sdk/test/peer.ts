import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

/** A real HTTP server on 127.0.0.1 that records requests and answers what `answer(req, n)` says. */
export async function startPeer(answer: (req: Seen, n: number) => Answer) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Seen = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://peer'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(rec);
      const out = answer(rec, seen.length - 1);
      const send = () => reply(res, out);
      if (out.delayMs) setTimeout(send, out.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, out: Answer): void {
  if (res.destroyed) return;
  if (out.destroy) {
    res.socket?.destroy();
    return;
  }
  const isText = typeof out.body === 'string';
  const payload = out.body === undefined ? '' : isText ? (out.body as string) : JSON.stringify(out.body);
  res.writeHead(out.status, {
    'content-type': isText
      ? 'text/plain'
      : out.status >= 400
        ? 'application/problem+json'
        : 'application/json',
    ...out.headers,
  });
  res.end(payload);
}

/** A problem+json body as the server sends it. */
export function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return {
    type: `https://outreach.dev/problems/${code}`,
    title: 'Error',
    status,
    detail: `detail of ${code}`,
    code,
    requestId: `req_${status}`,
    ...extra,
  };
}
