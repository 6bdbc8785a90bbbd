import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { APIError, Outreach } from '@outreach/sdk';
import type { Api, Problem } from './api';
import { createMcpServer } from './server';

/**
 * `outreach mcp`: the same tools over stdio for a local agent, each call made through the SDK
 * to the server at `OUTREACH_URL` with `OUTREACH_API_KEY` (so retries, idempotency keys and
 * errors are the SDK's). Nothing but MCP may go to stdout.
 */
export async function runStdioMcp(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const client = new Outreach({ apiKey: env.OUTREACH_API_KEY, baseURL: env.OUTREACH_URL });
  const server = createMcpServer(sdkApi(client));
  await server.connect(new StdioServerTransport());
  await new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
}

/** Tool calls as SDK requests; an API error becomes the problem it carries. */
export function sdkApi(client: Outreach): Api {
  return async (call) => {
    try {
      const { data, response } = await client
        .request(
          call.method,
          call.path,
          { path: call.params, query: call.query, body: call.body },
          call.contentType === undefined ? {} : { contentType: call.contentType },
        )
        .withResponse();
      return { ok: true, status: response.status, body: data };
    } catch (err) {
      if (err instanceof APIError) return { ok: false, status: err.status, body: err.body as Problem };
      throw err;
    }
  };
}
