/**
 * The sending loop's SMTP transports against a real SMTP server (smtp-server on 127.0.0.1): a
 * mailbox host is resolved and checked when its transport is made, as every outbound connection
 * is. A name that now points at a private address is refused, and the connection goes to the
 * checked address, never looking the name up again.
 */
import type { Lookup, OutgoingMail } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransportPool } from '../../src/dispatch/transport-pool';
import type { MailboxRow } from '../../src/dispatch/types';

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.close());

const mailbox = (host: string, updatedAt = 1): MailboxRow => ({
  id: `mbx_${host}`,
  address: 'ana@acme.test',
  firstName: 'Ana',
  lastName: null,
  signatureHtml: null,
  smtp: { host, port: smtp.port, secure: false, username: '' },
  smtpPassword: '',
  updatedAt,
});

const mail: OutgoingMail = {
  from: { name: 'Ana', address: 'ana@acme.test' },
  to: 'pat@example.com',
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: 'Hello',
  messageId: '<pool-1@acme.test>',
  headers: {},
};

describe('SMTP transport pool', () => {
  it('refuses a mailbox host that resolves to a private address, and asks again next time', async () => {
    let answer = '10.0.0.7';
    const asked: string[] = [];
    const lookup: Lookup = async (host) => {
      asked.push(host);
      return [{ address: answer, family: 4 }];
    };
    const pool = smtpTransportPool({ allowPrivate: false, lookup });
    try {
      await expect(Promise.resolve(pool.get(mailbox('smtp.rebound.test'), () => ''))).rejects.toThrow(
        /private address/,
      );
      answer = '169.254.169.254';
      await expect(Promise.resolve(pool.get(mailbox('smtp.rebound.test'), () => ''))).rejects.toThrow(
        /link-local/,
      );
      expect(asked).toEqual(['smtp.rebound.test', 'smtp.rebound.test']);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      pool.closeAll();
    }
  });

  it('connects to the checked address: the name is looked up once, by the check', async () => {
    const asked: string[] = [];
    const lookup: Lookup = async (host) => {
      asked.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    // the name does not exist in DNS: the message arrives only if the checked address is used
    const pool = smtpTransportPool({ allowPrivate: true, lookup });
    try {
      const transport = await pool.get(mailbox('smtp.pinned.invalid'), () => '');
      expect(await transport.send(mail)).toMatchObject({ ok: true });
      expect(await transport.send({ ...mail, messageId: '<pool-2@acme.test>' })).toMatchObject({ ok: true });
      // the same transport for the same mailbox version
      expect(await pool.get(mailbox('smtp.pinned.invalid'), () => '')).toBe(transport);
      expect(asked).toEqual(['smtp.pinned.invalid']);
      expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['pat@example.com'], ['pat@example.com']]);
    } finally {
      pool.closeAll();
    }
  });
});
