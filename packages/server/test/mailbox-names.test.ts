/** Mailbox names go into the From header: CR/LF (and other control characters) are refused, like subjects are cleaned. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const server = {
  host: '127.0.0.1',
  port: 2525,
  secure: false,
  username: 'me@names.test',
  password: 'pw-123456',
};
const body = (o: Record<string, unknown> = {}) => ({
  address: `me${Math.random().toString(36).slice(2, 8)}@names.test`,
  firstName: 'John',
  lastName: 'Miller',
  signatureHtml: '<p>John</p>\r\n<p>Line two of the signature</p>',
  smtp: server,
  imap: { ...server, port: 1143 },
  ...o,
});

describe('CR/LF in mailbox names', () => {
  it('create: a firstName or lastName with CR/LF → 422 naming it', async () => {
    for (const [field, value] of [
      ['firstName', 'John\r\nBcc: victim@x.test'],
      ['firstName', 'John\nX'],
      ['lastName', 'Miller\rX'],
      ['lastName', 'Mil\u0000ler'],
    ] as const) {
      const res = await t.a.req('POST', '/mailboxes', { body: body({ [field]: value }) });
      expectProblem(res, 422, 'validation_failed', field);
    }
  });

  it('patch: the same rule', async () => {
    const created = await t.a.req('POST', '/mailboxes', { body: body() });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expectProblem(
      await t.a.req('PATCH', `/mailboxes/${id}`, { body: { firstName: 'A\r\nB' } }),
      422,
      'validation_failed',
      'firstName',
    );
    expectProblem(
      await t.a.req('PATCH', `/mailboxes/${id}`, { body: { lastName: 'A\nB' } }),
      422,
      'validation_failed',
      'lastName',
    );
    const ok = await t.a.req('PATCH', `/mailboxes/${id}`, {
      body: { firstName: '  Jane ', lastName: 'Doe' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ firstName: 'Jane', lastName: 'Doe' });
  });

  it('a multi-line signature (HTML) is still fine', async () => {
    const res = await t.a.req('POST', '/mailboxes', { body: body() });
    expect(res.status).toBe(201);
  });
});
