import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type TestReceiver } from '../src/index';

let rx: TestReceiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

describe('startReceiver', () => {
  it('records a POST and answers 200 by default', async () => {
    rx = await startReceiver();
    const res = await fetch(`${rx.url}/hooks/a?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'abc' },
      body: JSON.stringify({ event: 'sent' }),
    });
    expect(res.status).toBe(200);
    const [req] = await rx.waitFor(1, 1000);
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/hooks/a?x=1');
    expect(req?.headers['x-signature']).toBe('abc');
    expect(JSON.parse(req?.body ?? '')).toEqual({ event: 'sent' });
    expect(typeof req?.receivedAt).toBe('number');
  });

  it('uses the handler for status, body and delay', async () => {
    rx = await startReceiver((req) =>
      req.path === '/slow' ? { status: 200, delayMs: 2000 } : { status: 500, body: { error: 'boom' } },
    );
    const res = await fetch(`${rx.url}/fail`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'boom' });
    await expect(
      fetch(`${rx.url}/slow`, { method: 'POST', body: 'y', signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect(rx.requests.map((r) => r.path)).toEqual(['/fail', '/slow']);
  });
});
