/**
 * Bounces and timeouts (issue 9.4): `stopOnBounce: false` keeps a bounced contact's later steps
 * (its send stays `bounced`); a soft (4xx) refusal never stops a contact; the SMTP timeout is the
 * `OUTREACH_SMTP_TIMEOUT_MS` setting. Real libSQL file; in-process sink, and a silent TCP server.
 */
import { createServer, type Server } from 'node:net';
import { loadConfig, type Schedule, seededRng, VirtualClock } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox, sinkPool } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-09-01T08:00:00Z');

describe('bounces and SMTP timeouts', () => {
  let deps: TestDeps;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = undefined;
    deps.cleanup();
  });

  async function setup(opts: { stopOnBounce?: boolean; smtpPort?: number; smtpTimeoutMs?: number } = {}) {
    const clock = new VirtualClock(START);
    deps = await createTestDeps({ clock, rng: seededRng(9) });
    if (opts.smtpTimeoutMs) deps.config.smtpTimeoutMs = opts.smtpTimeoutMs;
    const { workspaceId } = await createTestWorkspace(deps);
    const c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [
        { subject: 'one', bodyHtml: '<p>1</p>', delaySeconds: 0 },
        { subject: 'two', bodyHtml: '<p>2</p>', delaySeconds: 60 },
      ],
    });
    if (opts.stopOnBounce === false) {
      await deps.db.client.execute({
        sql: "UPDATE campaigns SET stop_rules = json_set(stop_rules, '$.stopOnBounce', json('false')) WHERE id = ?",
        args: [c.id],
      });
    }
    const mailboxId = await seedMailbox(deps, {
      workspaceId,
      address: 'me@x.test',
      dailyLimit: 100,
      now: START,
      ...(opts.smtpPort ? { smtp: { host: '127.0.0.1', port: opts.smtpPort } } : {}),
    });
    await attachMailbox(deps, {
      campaignId: c.id,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    const [contactId] = (await seedContacts(deps, {
      workspaceId,
      campaignId: c.id,
      count: 1,
      enrolledAt: START,
      firstDelaySeconds: 0,
    })) as [string];
    return { clock, c, contactId };
  }

  const run = async (clock: VirtualClock, sink: ReturnType<typeof sinkPool>, ticks: number) => {
    for (let i = 0; i < ticks; i++) {
      await runDispatchTick(deps, { transports: sink, retryBaseMs: 1000, retryMaxMs: 1000 });
      clock.advance(61_000);
    }
  };
  const statusOf = async (contactId: string) =>
    (await rows<{ status: string }>(deps, 'SELECT status FROM contacts WHERE id = ?', [contactId]))[0]!
      .status;
  const sendStatuses = () =>
    rows<{ subject: string; status: string }>(
      deps,
      'SELECT st.subject, s.status FROM sends s JOIN steps st ON st.id = s.step_id ORDER BY st.position',
    );

  it('stopOnBounce: false keeps the later steps; the bounced send stays bounced', async () => {
    const { clock, contactId } = await setup({ stopOnBounce: false });
    const sink = sinkPool(clock, (_to, attempt) =>
      attempt === 1 ? { ok: false, permanent: true, code: 550, error: '550 no such user' } : null,
    );
    await run(clock, sink, 3);
    expect(await sendStatuses()).toEqual([
      { subject: 'one', status: 'bounced' },
      { subject: 'two', status: 'sent' },
    ]);
    expect(sink.messages.map((m) => m.mail.subject)).toEqual(['two']);
    expect(await statusOf(contactId)).toBe('completed');
    const ev = await rows<{ data: string }>(deps, "SELECT data FROM events WHERE type = 'contact.bounced'");
    expect(ev).toHaveLength(1);
    expect(JSON.parse(ev[0]!.data)).toMatchObject({ stopped: false, error: '550 no such user' });
  });

  it('by default a hard bounce stops the contact', async () => {
    const { clock, contactId } = await setup();
    const sink = sinkPool(clock, () => ({
      ok: false,
      permanent: true,
      code: 550,
      error: '550 no such user',
    }));
    await run(clock, sink, 3);
    expect(await sendStatuses()).toEqual([{ subject: 'one', status: 'bounced' }]);
    expect(await statusOf(contactId)).toBe('bounced');
  });

  it('a soft (4xx) refusal never stops the contact: retried, then the sequence goes on', async () => {
    const { clock, contactId } = await setup();
    const sink = sinkPool(clock, (_to, attempt) =>
      attempt <= 2 ? { ok: false, permanent: false, code: 452, error: '452 mailbox full' } : null,
    );
    await run(clock, sink, 6);
    expect(await sendStatuses()).toEqual([
      { subject: 'one', status: 'sent' },
      { subject: 'two', status: 'sent' },
    ]);
    expect(await statusOf(contactId)).toBe('completed');
    expect(await rows(deps, "SELECT 1 FROM events WHERE type = 'contact.bounced'")).toHaveLength(0);
  });

  it('the SMTP timeout is the OUTREACH_SMTP_TIMEOUT_MS setting (default 10 s)', async () => {
    expect(loadConfig({ OUTREACH_SECRET_KEY: 'k'.repeat(32) }, { generateKey: false })).toMatchObject({
      smtpTimeoutMs: 10_000,
      imapTimeoutMs: 10_000,
    });
    expect(
      loadConfig(
        {
          OUTREACH_SECRET_KEY: 'k'.repeat(32),
          OUTREACH_SMTP_TIMEOUT_MS: '300',
          OUTREACH_IMAP_TIMEOUT_MS: '700',
        },
        { generateKey: false },
      ),
    ).toMatchObject({ smtpTimeoutMs: 300, imapTimeoutMs: 700 });
    // a server that accepts the connection and never greets
    server = createServer(() => {});
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await setup({ smtpPort: port, smtpTimeoutMs: 300 });
    const started = Date.now();
    const report = await runDispatchTick(deps, { retryBaseMs: 1000, retryMaxMs: 1000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.retried).toBe(1);
    const [s] = await rows<{ status: string; error: string }>(deps, 'SELECT status, error FROM sends');
    expect(s!.status).toBe('scheduled');
    expect(s!.error).toMatch(/timeout|ETIMEDOUT/i);
  });
});
