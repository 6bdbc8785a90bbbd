/**
 * `unwrap` (verified against signatures made by `standardwebhooks`, as the server makes them),
 * and `examples/webhook-receiver.ts` run as a child process receiving real HTTP requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { unwrap, type WebhookEvent, type WebhookEventOf, WebhookVerificationError } from '../src/index';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3';
const reply: WebhookEventOf<'reply.received'> = {
  type: 'reply.received',
  timestamp: '2026-03-09T10:00:00.000Z',
  data: {
    campaignId: 'cmp_1',
    contactId: 'cnt_1',
    email: 'jane@acme.com',
    threadId: 'thr_1',
    messageId: 'msg_1',
    replyIntent: 'interested',
    isOoo: false,
    isAutoReply: false,
    subject: 'Re: Quick question',
    bodyText: 'Sounds good, call me Tuesday',
  },
};

function signed(body: string, secrets: string[], at = new Date(), id = 'whd_1') {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}

describe('unwrap', () => {
  const body = JSON.stringify(reply);

  it('returns the typed event for a valid signature (string, bytes, Headers)', () => {
    const event: WebhookEvent = unwrap(body, signed(body, [SECRET]), SECRET);
    expect(event.type).toBe('reply.received');
    if (event.type === 'reply.received') expect(event.data.replyIntent).toBe('interested');
    expect(unwrap(new TextEncoder().encode(body), signed(body, [SECRET]), SECRET)).toEqual(reply);
    expect(unwrap(body, new Headers(signed(body, [SECRET])), SECRET)).toEqual(reply);
  });

  it('accepts either secret while a rotation signs with two', () => {
    const h = signed(body, [OTHER, SECRET]);
    expect(unwrap(body, h, SECRET)).toEqual(reply);
    expect(unwrap(body, h, OTHER)).toEqual(reply);
  });

  it('throws WebhookVerificationError for another secret, a changed body, a stale timestamp or a missing header', () => {
    const h = signed(body, [SECRET]);
    expect(() => unwrap(body, h, OTHER)).toThrow(WebhookVerificationError);
    expect(() => unwrap(body.replace('interested', 'neutral'), h, SECRET)).toThrow(WebhookVerificationError);
    const old = signed(body, [SECRET], new Date(Date.now() - 10 * 60_000));
    expect(() => unwrap(body, old, SECRET)).toThrow(/timestamp/i);
    const { 'webhook-signature': _s, ...noSig } = h;
    expect(() => unwrap(body, noSig, SECRET)).toThrow(WebhookVerificationError);
  });
});

describe('examples/webhook-receiver.ts', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('runs: verifies, acts on the typed event, de-duplicates, and rejects bad signatures', async () => {
    const script = fileURLToPath(new URL('../../../examples/webhook-receiver.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@outreach/source', script], {
      env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: fileURLToPath(new URL('../../../examples/', import.meta.url)),
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const until = async (re: RegExp) => {
      const end = Date.now() + 20_000;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`no ${re} in: ${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return re.exec(out)!;
    };
    const url = (await until(/listening on (http:\/\/\S+)/))[1]!;
    const body = JSON.stringify(reply);
    const post = (headers: Record<string, string>, b = body) =>
      fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: b });
    expect((await post(signed(body, [SECRET]))).status).toBe(204);
    await until(/reply from jane@acme.com: interested "Re: Quick question"/);
    expect((await post(signed(body, [SECRET]))).status).toBe(204); // same webhook-id: handled once
    expect((await post(signed(body, [OTHER]))).status).toBe(400);
    await until(/rejected: /);
    expect(out.match(/reply from/g)).toHaveLength(1);
  }, 30_000);
});
