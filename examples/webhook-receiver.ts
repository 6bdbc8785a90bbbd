/**
 * A webhook receiver: verifies every delivery with the SDK's `unwrap` (Standard Webhooks
 * signature + timestamp), de-duplicates by `webhook-id`, and acts on the typed event.
 *
 *   WEBHOOK_SECRET=whsec_… PORT=3000 pnpm --filter @outreach/examples webhook-receiver
 *
 * Then subscribe it (the secret is in the answer, or pass yours):
 *   client.webhooks.create({ endpoint: 'https://your-host/webhooks', eventTypes: ['reply.received'] })
 * Answer 2xx quickly (within 15 s): Outreach retries anything else, with the same `webhook-id`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unwrap, WebhookVerificationError } from '@outreach/sdk';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the subscription secret (whsec_…)');
  process.exit(1);
}
/** Delivery ids already handled (a real receiver keeps these in its database). */
const seen = new Set<string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let event: ReturnType<typeof unwrap>;
    try {
      // The raw bytes as received: re-serialised JSON would not match the signature.
      event = unwrap(Buffer.concat(chunks), req.headers, secret);
    } catch (err) {
      if (err instanceof WebhookVerificationError) {
        console.log(`rejected: ${err.message}`);
        res.writeHead(400).end();
        return;
      }
      throw err;
    }
    const id = String(req.headers['webhook-id']);
    if (seen.has(id)) {
      res.writeHead(204).end();
      return;
    }
    seen.add(id);
    switch (event.type) {
      case 'reply.received':
        // Typed: data.replyIntent, data.isOoo, data.bodyText, …
        console.log(`reply from ${event.data.email}: ${event.data.replyIntent} "${event.data.subject}"`);
        break;
      case 'contact.bounced':
        console.log(`bounced: ${event.data.email}`);
        break;
      default:
        console.log(`event ${event.type} ${id}`);
    }
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`listening on http://${address}:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
