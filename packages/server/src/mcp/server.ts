import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { API_VERSION } from '../version';
import { type Api, type ApiResult, localProblem } from './api';
import { mcpTools } from './tools';

/**
 * An MCP server with every tool, calling the API through `api`. The low-level `Server` (not
 * `McpServer`) so that bad arguments come back as the API's own 422 problem (with `code` and
 * field `errors`) instead of the SDK's plain-text validation message.
 */
export function createMcpServer(api: Api): Server {
  const tools = mcpTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = new Server({ name: 'outreach', version: API_VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      annotations: t.annotations,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const tool = byName.get(req.params.name);
    if (!tool)
      return toolResult({
        ok: false,
        status: 404,
        body: localProblem(404, 'unknown_tool', `No tool named ${req.params.name}`),
      });
    try {
      return toolResult(await tool.run(req.params.arguments ?? {}, api));
    } catch (err) {
      // The API could not be reached (stdio: connection refused, timeout): still a tool error.
      const detail = err instanceof Error ? err.message : String(err);
      return toolResult({ ok: false, status: 502, body: localProblem(502, 'api_unreachable', detail) });
    }
  });
  return server;
}

/** The route's JSON as text (and as structured content); an error status → `isError` with the problem. */
export function toolResult(result: ApiResult): CallToolResult {
  const body = result.body ?? { ok: true };
  const structured =
    typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  return {
    content: [{ type: 'text', text: JSON.stringify(body) }],
    ...(structured ? { structuredContent: structured } : {}),
    ...(result.ok ? {} : { isError: true }),
  };
}
