/**
 * One webhook POST over node:http(s): to the addresses the SSRF check resolved (a custom
 * `lookup`, so no second DNS answer can rebind the connection), with an overall deadline,
 * redirects never followed, and at most a short snippet of the answer kept.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseRetryAfter, type ResolvedAddress } from '@outreach/shared';

export const WEBHOOK_TIMEOUT_MS = 15_000;
const SNIPPET_BYTES = 1024;
/** Read no more of an answer than this (a receiver may send an endless body). */
const MAX_READ_BYTES = 64 * 1024;

export interface PostResult {
  status: number | null;
  bodySnippet: string | null;
  headers: http.IncomingHttpHeaders;
  error: string | null;
}

/** Keep-alive agents owned by one runner (closed with it). */
export class WebhookAgents {
  readonly http = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, timeout: 30_000 });
  readonly https = new https.Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: 64,
    timeout: 30_000,
  });
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** A `lookup` that answers with the addresses already checked, whatever the name. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, addresses);
    else cb(null, addresses[0]!.address, addresses[0]!.family);
  }) as unknown as LookupFunction;
}

export function postWebhook(opts: {
  url: URL;
  addresses: ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  agents: WebhookAgents;
  now: number;
}): Promise<PostResult & { retryAfterMs: number | null }> {
  const { url } = opts;
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const retryable = r.status === 429 || r.status === 503;
      const ra = r.headers['retry-after'];
      resolve({
        ...r,
        retryAfterMs: retryable ? parseRetryAfter(Array.isArray(ra) ? ra[0] : ra, opts.now) : null,
      });
    };
    const req = (isHttps ? https : http).request(
      url,
      {
        method: 'POST',
        agent: isHttps ? opts.agents.https : opts.agents.http,
        lookup: pinnedLookup(opts.addresses),
        headers: {
          ...opts.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(opts.body)),
          'user-agent': 'Outreach-Webhooks/1',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        const done = () =>
          finish({
            status: res.statusCode ?? null,
            bodySnippet: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8'),
            headers: res.headers,
            error: null,
          });
        res.on('data', (c: Buffer) => {
          if (read < SNIPPET_BYTES) chunks.push(c);
          read += c.length;
          if (read > MAX_READ_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('aborted', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({
        status: null,
        bodySnippet: null,
        headers: {},
        error: `no answer within ${opts.timeoutMs} ms`,
      });
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        status: null,
        bodySnippet: null,
        headers: {},
        error: err.code ? `${err.code}: ${err.message}` : err.message,
      }),
    );
    req.end(opts.body);
  });
}
