import { afterEach, describe, expect, it } from 'vitest';
import { APIPromise, Outreach, UnprocessableEntityError } from '../src/index';
import { problem, type Seen, startPeer } from './peer';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const RAW = 'From: a@acme.test\r\nSubject: Re: hi\r\n\r\nYes, interested.\r\n';
const CLASSIFICATION = { kind: 'reply', replyIntent: 'interested', reasons: ['intent: interested'] };

describe('inbox.classify', () => {
  it('POSTs the raw message as message/rfc822 and is an APIPromise', async () => {
    const p = await startPeer((req: Seen) =>
      req.headers['content-type'] === 'message/rfc822'
        ? { status: 200, body: CLASSIFICATION, headers: { 'x-request-id': 'req_c1' } }
        : { status: 415, body: problem(415, 'unsupported_media_type') },
    );
    close = p.close;
    const client = new Outreach({ apiKey: 'osk_test', baseUrl: p.url, workspaceId: 42, maxRetries: 0 });

    const pending = client.inbox.classify(RAW);
    expect(pending).toBeInstanceOf(APIPromise);
    expect(await pending).toEqual(CLASSIFICATION);
    const { data, requestId, response } = await client.inbox
      .classify(new TextEncoder().encode(RAW))
      .withResponse();
    expect(data).toEqual(CLASSIFICATION);
    expect(requestId).toBe('req_c1');
    expect(response.status).toBe(200);

    expect(p.seen).toHaveLength(2);
    for (const r of p.seen) {
      expect(r.method).toBe('POST');
      expect(r.url.pathname).toBe('/inbox/classify');
      expect(r.url.searchParams.get('workspaceId')).toBe('42');
      expect(r.headers.authorization).toBe('Bearer osk_test');
      expect(r.body).toBe(RAW); // as it is, not JSON-encoded
    }
  });

  it('rejects with the APIError of the status', async () => {
    const p = await startPeer(() => ({ status: 422, body: problem(422, 'validation_failed') }));
    close = p.close;
    const client = new Outreach({ apiKey: 'osk_test', baseUrl: p.url, workspaceId: 42, maxRetries: 0 });
    await expect(client.inbox.classify(RAW)).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(client.inbox.classify(RAW).asResponse()).rejects.toMatchObject({ status: 422 });
  });
});
