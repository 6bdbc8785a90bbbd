/**
 * Real mail peers for the mailbox, preflight and launch tests: an smtp-server that needs AUTH
 * and a private dovecot, each with one user. Wrong passwords are refused by the servers
 * themselves (535 / AUTHENTICATIONFAILED), nothing is simulated.
 */
import { newId, schema } from '@outreach/shared';
import { startDovecot, startSmtpServer, type TestDovecot, type TestSmtpServer } from '@outreach/testkit';
import type { Caller, TestApp } from './support';

export const ADDRESS = 'john@cooloutreach.com';
export const SMTP_PASSWORD = 'smtp-Secret-9f1c2e';
export const IMAP_PASSWORD = 'imap-Secret-77ab40';

export interface Peers {
  smtp: TestSmtpServer;
  dovecot: TestDovecot;
  /** a POST /mailboxes body for the user, with these passwords. */
  mailboxBody(opts?: {
    address?: string;
    smtpPassword?: string;
    imapPassword?: string;
  }): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startPeers(): Promise<Peers> {
  const [smtp, dovecot] = await Promise.all([
    startSmtpServer({ users: { [ADDRESS]: SMTP_PASSWORD } }),
    startDovecot({ [ADDRESS]: IMAP_PASSWORD }),
  ]);
  return {
    smtp,
    dovecot,
    mailboxBody: (o = {}) => ({
      address: o.address ?? 'John@CoolOutreach.com',
      firstName: 'John',
      lastName: 'Miller',
      signatureHtml: '<p>John</p>',
      dailyLimit: 40,
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        username: ADDRESS,
        password: o.smtpPassword ?? SMTP_PASSWORD,
      },
      imap: {
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        username: ADDRESS,
        password: o.imapPassword ?? IMAP_PASSWORD,
      },
    }),
    async close() {
      await Promise.all([smtp.close(), dovecot.stop()]);
    },
  };
}

export const READY_STEP = {
  subject: 'Quick question about {{company}}',
  bodyHtml:
    '<p>Hi {{firstName}},</p><p>{{senderFirstName}}</p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p>',
};

/** Inserts main-sequence steps straight into the table (the steps routes are another module's). */
export async function insertSteps(
  t: TestApp,
  campaignId: string,
  steps: { subject: string; bodyHtml: string; delaySeconds?: number }[],
): Promise<void> {
  const now = t.deps.clock.now();
  await t.deps.db.orm.insert(schema.steps).values(
    steps.map((s, i) => ({
      id: newId('step', now),
      campaignId,
      subsequenceId: null,
      order: i + 1,
      subject: s.subject,
      bodyHtml: s.bodyHtml,
      bodyText: null,
      delaySeconds: s.delaySeconds ?? 0,
      variants: [],
      createdAt: now,
      updatedAt: now,
    })),
  );
}

export const WEEKDAY_SCHEDULE = {
  timezone: 'America/New_York',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
  windows: [
    { start: '09:00', end: '12:00' },
    { start: '14:00', end: '17:00' },
  ],
};

/** A campaign with a step, `n` contacts, a schedule and (if given) the mailbox attached. */
export async function readyCampaign(
  t: TestApp,
  who: Caller,
  opts: { contacts?: number; mailboxAddress?: string; delaySeconds?: number; schedule?: boolean } = {},
): Promise<string> {
  const { upsertContacts, updateCampaign } = await import('@outreach/shared');
  const res = await who.req('POST', '/campaigns', { body: { name: 'Q1 SaaS Outreach', priority: 'HIGH' } });
  const id = res.body.id as string;
  await insertSteps(t, id, [{ ...READY_STEP, delaySeconds: opts.delaySeconds ?? 0 }]);
  const n = opts.contacts ?? 3;
  await upsertContacts(
    t.deps.db,
    { workspaceId: who.workspaceId, campaignId: id },
    Array.from({ length: n }, (_, i) => ({
      email: `lead${i}@acme${i}.com`,
      firstName: `Lead${i}`,
      lastName: 'Chen',
      custom: { company: `Acme ${i}`, title: 'VP Sales' },
    })),
    t.deps.clock.now(),
  );
  if (opts.schedule !== false)
    await updateCampaign(t.deps.db, who.workspaceId, id, { schedule: WEEKDAY_SCHEDULE }, t.deps.clock.now());
  if (opts.mailboxAddress) {
    const att = await who.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: opts.mailboxAddress, dailyLimit: 30, weight: 100 },
    });
    if (att.status !== 201) throw new Error(`attach failed: ${att.text}`);
  }
  return id;
}
