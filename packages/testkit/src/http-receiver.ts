import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForCount } from './util';

export interface ReceivedRequest {
  method: string;
  /** Path plus query string, as sent. */
  path: string;
  /** Lower-cased header names (node:http). */
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the body had fully arrived. */
  receivedAt: number;
}

export interface ReceiverResponse {
  status: number;
  /** A string is sent as is (text/plain unless headers say otherwise); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (to simulate slow peers / client timeouts). */
  delayMs?: number;
}

export type ReceiverHandler = (req: ReceivedRequest) => ReceiverResponse | Promise<ReceiverResponse>;

export interface TestReceiver {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  requests: ReceivedRequest[];
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request; answers 200 unless `handler` says otherwise. */
export async function startReceiver(handler?: ReceiverHandler): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const recorded: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => (handler ? handler(recorded) : { status: 200 }))
        .then(
          (out) => respond(out),
          (err: unknown) => respond({ status: 500, body: `handler threw: ${String(err)}` }),
        );

      function respond(out: ReceiverResponse): void {
        const send = () => {
          if (res.destroyed || res.writableEnded) return;
          const headers: Record<string, string> = { ...(out.headers ?? {}) };
          let payload = '';
          if (typeof out.body === 'string') {
            payload = out.body;
            if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
          } else if (out.body !== undefined) {
            payload = JSON.stringify(out.body);
            if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
          }
          res.writeHead(out.status, headers);
          res.end(payload);
        };
        if (out.delayMs && out.delayMs > 0) {
          const t = setTimeout(() => {
            timers.delete(t);
            send();
          }, out.delayMs);
          timers.add(t);
        } else {
          send();
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor: (n, timeoutMs = 5000) => waitForCount(requests, n, timeoutMs, 'HTTP requests'),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}
