import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The official MCP client on `POST {baseUrl}/mcp` with this API key. */
export async function mcpClient(baseUrl: string, apiKey: string): Promise<Client> {
  const client = new Client({ name: 'outreach-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
      requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
    }),
  );
  return client;
}

/** Calls a tool; the parsed JSON of its text content, and whether it was a tool error. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ isError: boolean; body: any; result: CallToolResult }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.find((c) => c.type === 'text');
  const body = text && 'text' in text ? JSON.parse(text.text) : undefined;
  return { isError: result.isError === true, body, result };
}

/** A tool call that must succeed: its JSON (the text content equals the structured content). */
export async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await callTool(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.body)}`);
  if (
    r.result.structuredContent !== undefined &&
    JSON.stringify(r.result.structuredContent) !== JSON.stringify(r.body)
  )
    throw new Error(`${name}: structuredContent differs from the text`);
  return r.body;
}

export const TOOL_NAMES = [
  'list_campaigns',
  'get_campaign',
  'create_campaign',
  'add_step',
  'preview_step',
  'import_contacts',
  'list_contacts',
  'list_mailboxes',
  'attach_mailbox',
  'set_schedule',
  'run_preflight',
  'launch_campaign',
  'pause_campaign',
  'resume_campaign',
  'campaign_stats',
  'add_suppressions',
  'list_threads',
  'get_thread',
  'reply_to_thread',
  'set_reply_intent',
  'list_subsequences',
  'create_subsequence',
  'set_subsequence_routing',
  'list_webhook_deliveries',
  'classify_message',
];
