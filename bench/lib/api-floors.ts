/**
 * The floors of bench/api.ts, each as its own server process so that the CPU counted for it is
 * the server's alone (autocannon runs in the bench process). Prints `listening <port>` once up.
 * Usage: `node --import tsx bench/lib/api-floors.ts <hono|raw|route-sql> <databaseUrl> <workspaceId> <campaignId>`
 *
 * - hono: a bare Hono route answering the first contacts page as a prepared string (no database);
 * - raw: node:http running the raw SQL of that page (`SELECT *`, the index the route uses) through
 *   @libsql/client and `JSON.stringify` of the rows: what a thin handler over the client costs;
 * - route-sql: node:http running the one statement the contacts route runs (the page's JSON built
 *   by SQLite), the way it runs it (`db.read`: prepared once), and sending its text: the route
 *   minus Hono, auth and validation.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createClient, type InStatement } from '@libsql/client';
import { contactsPageQuery } from '@outreach/shared';
import { Hono } from 'hono';

const [mode, url, ws, campaignId] = process.argv.slice(2);
if (!mode || !url || !ws || !campaignId)
  throw new Error('usage: api-floors.ts <mode> <url> <workspaceId> <campaignId>');
const workspaceId = Number(ws);
const client = createClient({ url });
const pageSql = contactsPageQuery(workspaceId, campaignId, { limit: 50, after: null }) as InStatement;
const announce = (port: number) => process.stdout.write(`listening ${port}\n`);

if (mode === 'hono') {
  const page = JSON.stringify({ items: (await client.execute(pageSql)).rows, next_cursor: null });
  client.close();
  const app = new Hono().get('/', (c) => c.body(page, 200, { 'content-type': 'application/json' }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announce(info.port));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  // imported here: `hono` and `raw` also run against a checkout from before the route's statement
  const shared = mode === 'route-sql' ? await import('@outreach/shared') : null;
  const routeSql = shared?.contactsPageJsonQuery(workspaceId, campaignId, { limit: 50, after: null });
  const db = shared?.openDb(url);
  const server = createServer(async (_req, res) => {
    let body: string;
    if (mode === 'raw') {
      const rs = await client.execute(pageSql);
      body = JSON.stringify({ items: rs.rows, next_cursor: null });
    } else {
      const [row] = await db!.read(routeSql!);
      body = `{"items":${row![1]},"next_cursor":null}`;
    }
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => {
      client.close();
      db?.close();
      process.exit(0);
    });
  });
}
