import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../shared/test/fixtures/inbox');
const eml = (name: string) => readFileSync(join(fixtures, `${name}.eml`));
const rfc822 = { 'content-type': 'message/rfc822' };

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

async function tableCounts(): Promise<number> {
  const r = await t.deps.db.client.execute(
    'SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM suppressions) AS n',
  );
  return Number(r.rows[0]!.n);
}

describe('POST /inbox/classify', () => {
  it('classifies a raw reply: intent, stripped text, language, reasons; nothing stored', async () => {
    const before = await tableCounts();
    const res = await t.a.req('POST', '/inbox/classify', {
      raw: eml('reply-en-unsubscribe'),
      headers: rfc822,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'reply',
      replyIntent: 'unsubscribe',
      isOoo: false,
      isAutoReply: false,
      oooUntil: null,
      bounce: null,
      complaint: null,
      language: 'en',
    });
    expect(res.body.text).not.toContain('wrote:');
    expect(res.body.reasons.length).toBeGreaterThan(0);
    expect(await tableCounts()).toBe(before);
  });

  it('answers bounces, out-of-office replies and complaints in the API shape', async () => {
    const bounce = await t.a.req('POST', '/inbox/classify', {
      raw: eml('bounce-gmail-no-such-user'),
      headers: rfc822,
    });
    expect(bounce.body).toMatchObject({
      kind: 'bounce',
      replyIntent: null,
      bounce: {
        type: 'hard',
        status: '5.1.1',
        recipient: 'jane.doe@gmail.example',
        reportingMta: 'googlemail.com',
      },
    });
    const ooo = await t.a.req('POST', '/inbox/classify', { raw: eml('ooo-date-en'), headers: rfc822 });
    expect(ooo.body).toMatchObject({
      kind: 'auto_reply',
      isOoo: true,
      replyIntent: 'out_of_office',
      oooUntil: '2026-12-15',
    });
    const arf = await t.a.req('POST', '/inbox/classify', {
      raw: eml('complaint-arf-abuse'),
      headers: { 'content-type': 'message/rfc822; charset=utf-8' },
    });
    expect(arf.body).toMatchObject({
      kind: 'complaint',
      complaint: { feedbackType: 'abuse', recipient: 'angry@isp.example' },
    });
  });

  it('415 for other content types, 413 over 10 MB, 422 for an empty body', async () => {
    expectProblem(
      await t.a.req('POST', '/inbox/classify', {
        raw: 'Subject: x\r\n\r\nhi',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported_media_type',
      'content-type',
    );
    expectProblem(
      await t.a.req('POST', '/inbox/classify', { body: { raw: 'x' } }),
      415,
      'unsupported_media_type',
    );
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 'a');
    expectProblem(
      await t.a.req('POST', '/inbox/classify', { raw: big, headers: rfc822 }),
      413,
      'payload_too_large',
    );
    expectProblem(
      await t.a.req('POST', '/inbox/classify', { raw: '', headers: rfc822 }),
      422,
      'validation_failed',
      'body',
    );
  });

  it('a message of almost 10 MB is read', async () => {
    const raw = Buffer.concat([eml('reply-en-interested'), Buffer.alloc(9 * 1024 * 1024, 'x')]);
    const res = await t.a.req('POST', '/inbox/classify', { raw, headers: rfc822 });
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('reply');
  });

  it('401 without a key; 403 for another workspace with this key', async () => {
    expectProblem(
      await t.a.req('POST', '/inbox/classify', { raw: eml('reply-en-neutral'), headers: rfc822, key: null }),
      401,
      'unauthorized',
    );
    expectProblem(
      await t.a.req('POST', '/inbox/classify', {
        raw: eml('reply-en-neutral'),
        headers: rfc822,
        query: { workspaceId: t.b.workspaceId },
      }),
      403,
      'forbidden',
    );
    const own = await t.b.req('POST', '/inbox/classify', { raw: eml('reply-en-neutral'), headers: rfc822 });
    expect(own.status).toBe(200);
  });
});
