/**
 * Webhook receivers for bench/webhooks.ts in a process of their own (receivers live on other
 * machines in real use; here they should not take the worker's event loop). IPC: sends
 * `{urls}` once listening; answers `count` with `{count}` and `dump` with `{rows: [n, receivedAt, webhookId][]}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const rows: [number, number, string][] = [];
const urls: string[] = [];
for (let i = 0; i < Number(process.env.RECEIVERS ?? 3); i++) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rows.push([
        JSON.parse(Buffer.concat(chunks).toString('utf8')).data.n,
        Date.now(),
        String(req.headers['webhook-id']),
      ]);
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}
process.send!({ urls });
process.on('message', (m: string) => {
  if (m === 'count') process.send!({ count: rows.length });
  if (m === 'dump') process.send!({ rows });
  if (m === 'reset') rows.length = 0;
});
process.on('disconnect', () => process.exit(0));
