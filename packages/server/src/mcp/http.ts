import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { App } from '../app';
import { type Api, fillPath, type Problem } from './api';
import { createMcpServer } from './server';

/**
 * `POST /mcp`: Streamable HTTP, stateless (a new server and transport per request, JSON
 * answers). The global API-key middleware has already authenticated the caller (401 with
 * `WWW-Authenticate` otherwise); every tool call is the caller's own request to the route, made
 * in process with the same key, so the workspace is the key's and behaviour is the route's.
 */
export function registerMcp(app: App): void {
  app.post('/mcp', async (c) => {
    const api = inProcessApi(app, c.req.header('authorization') ?? '');
    const server = createMcpServer(api);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  // Stateless: no server-initiated stream to GET and no session to DELETE.
  app.on(['GET', 'DELETE'], '/mcp', (c) =>
    c.json(
      { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: POST only' }, id: null },
      405,
      {
        Allow: 'POST',
      },
    ),
  );
}

/** Tool calls as requests to this app, authenticated with the MCP caller's own key. */
export function inProcessApi(app: App, authorization: string): Api {
  return async (call) => {
    const url = new URL(fillPath(call.path, call.params), 'http://mcp.internal');
    // a repeated param (`replyIntent=interested&replyIntent=neutral`) is an array argument
    for (const [k, v] of Object.entries(call.query ?? {}))
      for (const one of Array.isArray(v) ? v : [v])
        if (one !== undefined) url.searchParams.append(k, String(one));
    const headers = new Headers({ authorization, accept: 'application/json' });
    let body: FormData | string | undefined;
    if (call.body instanceof FormData) body = call.body;
    else if (call.contentType !== undefined) {
      headers.set('content-type', call.contentType);
      body = String(call.body ?? '');
    } else if (call.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(call.body);
    }
    const res = await app.fetch(new Request(url, { method: call.method.toUpperCase(), headers, body }));
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    return res.ok
      ? { ok: true, status: res.status, body: json }
      : { ok: false, status: res.status, body: json as Problem };
  };
}
