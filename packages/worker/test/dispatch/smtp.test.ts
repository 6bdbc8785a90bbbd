/**
 * The dispatch loop against a real SMTP server (smtp-server on 127.0.0.1, with AUTH): rendered
 * messages and their headers, 550 → bounced, 451 twice then 250 → sent with 3 attempts, a
 * dropped connection retried.
 */
import { type Schedule, SecretBox, seededRng, VirtualClock, verifyUnsubscribeToken } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { smtpTransportPool } from '../../src/dispatch/transport-pool';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-05-04T10:00:00Z');
// one pool of SMTP connections across ticks, as a worker keeps them
const pool = smtpTransportPool({ allowPrivate: true });
const OPTS = { retryBaseMs: 1000, retryMaxMs: 5000, transports: pool };

describe('dispatch over real SMTP', () => {
  let deps: TestDeps;
  let smtp: TestSmtpServer;
  const clock = new VirtualClock(START);
  let campaignId: string;
  let stepIds: string[];
  let workspaceId: number;

  beforeAll(async () => {
    smtp = await startSmtpServer({
      users: { 'ana@acme.test': 'app-password-1' },
      behaviour: (rcpt, attempt) => {
        if (rcpt.startsWith('reject')) return { code: 550, message: '5.1.1 No such user' };
        if (rcpt.startsWith('grey') && attempt <= 2) return { code: 451, message: '4.7.1 Try again later' };
        if (rcpt.startsWith('drop') && attempt === 1) return 'drop';
        return 'accept';
      },
    });
    deps = await createTestDeps({
      clock,
      rng: seededRng(3),
      config: { publicUrl: 'https://outreach.example.com' },
    });
    ({ workspaceId } = await createTestWorkspace(deps));
    const c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [
        {
          subject: 'Quick question, {{firstName}}',
          bodyHtml: '<p>Hi {{firstName}},</p><p>How is {{company}}?</p>',
          delaySeconds: 0,
        },
        {
          subject: 'Re: Quick question, {{firstName}}',
          bodyHtml: '<p>Following up, {{firstName|there}}.</p>',
          delaySeconds: 120,
        },
      ],
    });
    campaignId = c.id;
    stepIds = c.stepIds;
    const mailboxId = await seedMailbox(deps, {
      workspaceId,
      address: 'ana@acme.test',
      dailyLimit: 100,
      smtp: { host: smtp.host, port: smtp.port, username: 'ana@acme.test', password: 'app-password-1' },
      now: START,
    });
    await attachMailbox(deps, {
      campaignId,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: 2,
      enrolledAt: START,
      firstDelaySeconds: 0,
      prefix: 'ok',
    });
    await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: 1,
      enrolledAt: START,
      firstDelaySeconds: 0,
      prefix: 'reject',
    });
    await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: 1,
      enrolledAt: START,
      firstDelaySeconds: 0,
      prefix: 'grey',
    });
    await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: 1,
      enrolledAt: START,
      firstDelaySeconds: 0,
      prefix: 'drop',
    });

    // Run ticks a minute apart (virtual) for 10 minutes: retries and step 2 come due.
    for (let i = 0; i < 10; i++) {
      await runDispatchTick(deps, OPTS);
      clock.advance(60_000);
    }
  }, 60_000);

  afterAll(async () => {
    pool.closeAll();
    await smtp?.close();
    deps?.cleanup();
  });

  const sendOf = async (email: string, step = 0) =>
    (
      await rows<{ id: string; status: string; attempts: number; error: string | null; message_id: string }>(
        deps,
        'SELECT * FROM sends WHERE to_email = ? AND step_id = ?',
        [email, stepIds[step]!],
      )
    )[0]!;

  it('delivers rendered multipart messages with our headers, and a threaded follow-up', async () => {
    const first = smtp.messages.filter((m) => m.envelope.to[0] === 'ok0@example.com');
    expect(first.length).toBe(2);
    const [m1, m2] = first;
    const s1 = await sendOf('ok0@example.com', 0);
    const s2 = await sendOf('ok0@example.com', 1);
    expect(s1.status).toBe('sent');
    expect(s2.status).toBe('sent');
    expect(m1!.user).toBe('ana@acme.test'); // logged in with the decrypted password
    expect(m1!.headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(m1!.parsed.text).toContain('How is Co 0?');
    expect(m1!.parsed.html).toContain('<p>Hi First0,</p>');
    expect(m1!.parsed.subject).toBe('Quick question, First0');
    expect(m1!.headers.from).toBe('Ana Sender <ana@acme.test>');
    expect(m1!.headers['message-id']).toBe(s1.message_id);
    expect(s1.message_id).toBe(`<${s1.id}@acme.test>`);
    expect(m1!.headers['x-outreach-send-id']).toBe(s1.id);
    expect(m1!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsub =
      /^<https:\/\/outreach\.example\.com\/u\/([^>]+)>, <mailto:ana@acme\.test\?subject=unsubscribe>$/.exec(
        m1!.headers['list-unsubscribe']!,
      );
    expect(unsub).not.toBeNull();
    expect(verifyUnsubscribeToken(deps.secrets, unsub![1]!)).toBe(s1.id);
    expect(verifyUnsubscribeToken(SecretBox.fromString('b'.repeat(64)), unsub![1]!)).toBeNull();
    expect(m1!.headers['in-reply-to']).toBeUndefined();
    // step 2: threaded under step 1
    expect(m2!.parsed.subject).toBe('Re: Quick question, First0');
    expect(m2!.headers['in-reply-to']).toBe(s1.message_id);
    expect(m2!.headers.references).toBe(s1.message_id);
    expect(m2!.headers['message-id']).toBe(s2.message_id);
    const [contact] = await rows<{ status: string; current_step: number }>(
      deps,
      "SELECT status, current_step FROM contacts WHERE email = 'ok0@example.com'",
    );
    expect(contact).toMatchObject({ status: 'completed', current_step: 2 });
  });

  it('ends a recipient answered 550 as bounced, with a contact.bounced event', async () => {
    const s = await sendOf('reject0@example.com');
    expect(s.status).toBe('bounced');
    expect(s.attempts).toBe(1);
    expect(s.error).toMatch(/^550/);
    expect(smtp.attempts('reject0@example.com')).toBe(1);
    const [c] = await rows<{ id: string; status: string }>(
      deps,
      "SELECT id, status FROM contacts WHERE email = 'reject0@example.com'",
    );
    expect(c!.status).toBe('bounced');
    const events = await rows<{ type: string }>(
      deps,
      'SELECT type FROM events WHERE contact_id = ? ORDER BY id',
      [c!.id],
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['contact.bounced', 'contact.status_changed']),
    );
    expect(await sendOf('reject0@example.com', 1)).toBeUndefined();
  });

  it('retries 451 with backoff and ends sent with attempts 3', async () => {
    const s = await sendOf('grey0@example.com');
    expect(s.status).toBe('sent');
    expect(s.attempts).toBe(3);
    expect(smtp.rcptLog.filter((r) => r.rcpt === 'grey0@example.com').map((r) => r.outcome)).toEqual([
      451,
      451,
      'accept',
      'accept',
    ]);
    expect(smtp.messages.filter((m) => m.envelope.to[0] === 'grey0@example.com').length).toBe(2); // step 1 and step 2
  });

  it('retries a dropped connection', async () => {
    const s = await sendOf('drop0@example.com');
    expect(s.status).toBe('sent');
    expect(s.attempts).toBe(2);
    expect(smtp.rcptLog.filter((r) => r.rcpt === 'drop0@example.com')[0]!.outcome).toBe('drop');
    // the other recipients on the same mailbox were not disturbed
    expect(smtp.messages.filter((m) => m.envelope.to[0] === 'ok1@example.com').length).toBe(2);
  });

  it('fails a send for good after the last attempt', async () => {
    const deps2 = await createTestDeps({ clock, rng: seededRng(4) });
    try {
      const { workspaceId: ws } = await createTestWorkspace(deps2);
      const c = await seedCampaign(deps2, {
        workspaceId: ws,
        schedule: ALWAYS,
        now: clock.now(),
        steps: [{ subject: 'x', bodyHtml: '<p>x</p>', delaySeconds: 0 }],
      });
      const mb = await seedMailbox(deps2, {
        workspaceId: ws,
        address: 'ana@acme.test',
        dailyLimit: 100,
        smtp: { host: smtp.host, port: smtp.port, username: 'ana@acme.test', password: 'app-password-1' },
        now: clock.now(),
      });
      await attachMailbox(deps2, {
        campaignId: c.id,
        mailboxId: mb,
        weight: 1,
        dailyLimit: 100,
        gapBase: 0,
        gapJitter: 0,
        now: clock.now(),
      });
      // "grey1" is answered 451 twice: with 2 attempts allowed it fails
      await seedContacts(deps2, {
        workspaceId: ws,
        campaignId: c.id,
        count: 2,
        enrolledAt: clock.now(),
        firstDelaySeconds: 0,
        prefix: 'grey',
      });
      for (let i = 0; i < 5; i++) {
        await runDispatchTick(deps2, { ...OPTS, maxAttempts: 2 });
        clock.advance(60_000);
      }
      const [s] = await rows<{ status: string; attempts: number; error: string }>(
        deps2,
        "SELECT status, attempts, error FROM sends WHERE to_email = 'grey1@example.com'",
      );
      expect(s).toMatchObject({ status: 'failed', attempts: 2 });
      expect(s!.error).toMatch(/^451/);
      const [contact] = await rows<{ status: string }>(
        deps2,
        "SELECT status FROM contacts WHERE email = 'grey1@example.com'",
      );
      expect(contact!.status).toBe('failed');
      const ev = await rows<{ type: string }>(deps2, "SELECT type FROM events WHERE type = 'send.failed'");
      expect(ev.length).toBe(1);
    } finally {
      deps2.cleanup();
    }
  });
});
