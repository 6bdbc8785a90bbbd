import { newId, schema, upsertContacts, VirtualClock } from '@outreach/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, insertSteps, type Peers, readyCampaign, startPeers } from './peers';
import { expectProblem, makeTestApp, type TestApp } from './support';

const T0 = Date.parse('2026-03-09T10:00:00Z');
const clock = new VirtualClock(T0);
let t: TestApp;
let peers: Peers;
const ids: Record<string, string> = {};

const BAD_SMTP = 'bad-smtp@cooloutreach.com';
const BAD_IMAP = 'bad-imap@cooloutreach.com';

beforeAll(async () => {
  [t, peers] = await Promise.all([makeTestApp({ clock }), startPeers()]);
  for (const [address, o] of [
    [ADDRESS, {}],
    [BAD_SMTP, { smtpPassword: 'wrong-Pass-123' }],
    [BAD_IMAP, { imapPassword: 'wrong-Pass-123' }],
  ] as const) {
    const res = await t.a.req('POST', '/mailboxes', { body: peers.mailboxBody({ address, ...o }) });
    expect(res.status).toBe(201);
    ids[address] = res.body.id;
  }
});
afterAll(async () => {
  t.close();
  await peers.close();
});

type Check = { name: string; passed: boolean; detail?: string; blocking: boolean };
const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

describe('preflight', () => {
  it('an empty draft fails every blocking check, each with a reason', async () => {
    const { body } = await t.a.req('POST', '/campaigns', { body: { name: 'Empty' } });
    const res = await t.a.req('GET', `/campaigns/${body.id}/preflight`);
    expect(res.status).toBe(200);
    expect(res.body.blockingFailures).toEqual([
      'has_steps',
      'has_contacts',
      'has_mailboxes',
      'mailbox_auth',
      'schedule_set',
    ]);
    for (const c of res.body.checks.slice(0, 5)) {
      expect(c).toMatchObject({ passed: false, blocking: true });
      expect(c.detail).toEqual(expect.any(String));
    }
    expect(res.body.summary).toMatch(/^5 blocking failures: has_steps/);
  });

  it('is green only when SMTP and IMAP logins both work: the seed answer', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(res.status).toBe(200);
    expect(res.body.checks.map((c: Check) => [c.name, c.passed])).toEqual([
      ['has_steps', true],
      ['has_contacts', true],
      ['has_mailboxes', true],
      ['mailbox_auth', true],
      ['schedule_set', true],
      ['variables_resolvable', true],
      ['unsubscribe_link', true],
      ['suppressed_contacts', true],
      ['mailboxes_healthy', true],
    ]);
    expect(res.body.blockingFailures).toEqual([]);
    expect(res.body.summary).toBe('All checks passed. Ready to launch.');
    // It really logged in: the mailbox now carries a fresh check.
    const mbx = await t.a.req('GET', `/mailboxes/${ids[ADDRESS]}`);
    expect(mbx.body.status).toBe('verified');
    expect(mbx.body.lastCheck.at).toBe(new Date(T0).toISOString());
  });

  it('is red naming the mailbox and the SMTP reason when SMTP refuses the login', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: BAD_SMTP });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    const auth = byName(res.body.checks).mailbox_auth!;
    expect(auth.passed).toBe(false);
    expect(auth.detail).toContain(`${BAD_SMTP}: SMTP 535`);
    expect(auth.detail).not.toContain('IMAP');
    expect(res.body.blockingFailures).toEqual(['mailbox_auth']);
    expect(res.body.summary).toContain(BAD_SMTP);
  });

  it('is red naming the mailbox and the IMAP reason when IMAP refuses the login', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: BAD_IMAP });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    const auth = byName(res.body.checks).mailbox_auth!;
    expect(auth.passed).toBe(false);
    expect(auth.detail).toMatch(
      new RegExp(`${BAD_IMAP}: IMAP (AUTHENTICATIONFAILED|.*Authentication failed)`),
    );
    expect(res.body.blockingFailures).toEqual(['mailbox_auth']);
  });

  it('one bad mailbox among good ones is red, naming only the bad one; a paused one is not checked', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    const att = await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: BAD_SMTP, dailyLimit: 10, weight: 1 },
    });
    const red = byName((await t.a.req('GET', `/campaigns/${id}/preflight`)).body.checks).mailbox_auth!;
    expect(red.passed).toBe(false);
    expect(red.detail).toContain(BAD_SMTP);
    expect(red.detail).not.toContain(`${ADDRESS}:`);
    await t.a.req('PATCH', `/campaigns/${id}/mailboxes/${att.body.id}`, { body: { state: 'paused' } });
    const green = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(green.body.blockingFailures).toEqual([]);
  });

  it('every mailbox paused fails has_mailboxes', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    const [cmb] = (await t.a.req('GET', `/campaigns/${id}/mailboxes`)).body.items;
    await t.a.req('PATCH', `/campaigns/${id}/mailboxes/${cmb.id}`, { body: { state: 'paused' } });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(res.body.blockingFailures).toEqual(['has_mailboxes', 'mailbox_auth']);
    expect(byName(res.body.checks).has_mailboxes!.detail).toContain('paused');
  });

  it('reuses a successful login for 10 minutes, then logs in again; a failure is never reused', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    expect((await t.a.req('GET', `/campaigns/${id}/preflight`)).body.blockingFailures).toEqual([]);
    // The SMTP server "moves away" behind our back (no PATCH, which would forget the check).
    const mbx = schema.mailboxes;
    const row = (await t.deps.db.orm.select().from(mbx).where(eq(mbx.id, ids[ADDRESS]!)))[0]!;
    await t.deps.db.orm
      .update(mbx)
      .set({ smtp: { ...row.smtp, port: 1 } })
      .where(eq(mbx.id, row.id));
    clock.advance(9 * 60_000);
    expect((await t.a.req('GET', `/campaigns/${id}/preflight`)).body.blockingFailures).toEqual([]);
    clock.advance(2 * 60_000);
    const red = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(red.body.blockingFailures).toEqual(['mailbox_auth']);
    expect(byName(red.body.checks).mailbox_auth!.detail).toMatch(/ECONNREFUSED/);
    // Fixed: the failure is not reused, the next preflight logs in again at once.
    await t.deps.db.orm.update(mbx).set({ smtp: row.smtp }).where(eq(mbx.id, row.id));
    expect((await t.a.req('GET', `/campaigns/${id}/preflight`)).body.blockingFailures).toEqual([]);
  });

  it('warnings do not block: variables without fallback, missing unsubscribe link, suppressed contacts', async () => {
    const { body } = await t.a.req('POST', '/campaigns', { body: { name: 'Warnings' } });
    const id = body.id as string;
    await insertSteps(t, id, [
      {
        subject: 'Hi {{firstName}} at {{company}}',
        bodyHtml: '<p>{{title}} {{nickname|friend}} {{senderLastName}}</p>',
      },
    ]);
    await upsertContacts(
      t.deps.db,
      { workspaceId: t.a.workspaceId, campaignId: id },
      [
        { email: 'a@acme.com', firstName: 'Ann', lastName: null, custom: { company: 'Acme', title: 'CTO' } },
        { email: 'b@bigco.io', firstName: 'Bob', lastName: null, custom: { company: 'BigCo' } },
        { email: 'c@corp.com', firstName: ' ', lastName: null, custom: { company: 'Corp', title: '' } },
      ],
      clock.now(),
    );
    await t.deps.db.client.execute({
      sql: "UPDATE contacts SET status = 'suppressed' WHERE campaign_id = ? AND email = 'a@acme.com'",
      args: [id],
    });
    await t.deps.db.orm
      .update(schema.campaigns)
      .set({
        schedule: {
          timezone: 'Europe/Berlin',
          weekdays: ['mon'],
          windows: [{ start: '09:00', end: '17:00' }],
        },
      })
      .where(eq(schema.campaigns.id, id));
    await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: ADDRESS, dailyLimit: 30, weight: 100 },
    });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(res.body.blockingFailures).toEqual([]);
    const c = byName(res.body.checks);
    expect(c.variables_resolvable).toMatchObject({ passed: false, blocking: false });
    expect(c.variables_resolvable!.detail).toContain('{{title}} is empty for 2 contacts');
    expect(c.variables_resolvable!.detail).toContain('{{firstName}} is empty for 1 contact ');
    expect(c.variables_resolvable!.detail).not.toContain('nickname');
    expect(c.variables_resolvable!.detail).not.toContain('company');
    expect(c.variables_resolvable!.detail).not.toContain('senderLastName');
    expect(c.unsubscribe_link).toMatchObject({ passed: false, blocking: false });
    expect(c.unsubscribe_link!.detail).toContain('step 1');
    expect(c.suppressed_contacts).toMatchObject({
      passed: false,
      detail: '1 contact suppressed: they will not be sent to',
    });
    expect(res.body.summary).toMatch(
      /^Ready to launch with 3 warning\(s\): variables_resolvable .*unsubscribe_link .*suppressed_contacts/,
    );
  });

  it('mailboxes_healthy warns about a paused mailbox beside an active one; the launch still goes', async () => {
    const spare = await t.a.req('POST', '/mailboxes', {
      body: peers.mailboxBody({ address: 'spare@cooloutreach.com' }),
    });
    expect(spare.status).toBe(201);
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    const att = await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: 'spare@cooloutreach.com', dailyLimit: 10, weight: 1 },
    });
    await t.a.req('PATCH', `/campaigns/${id}/mailboxes/${att.body.id}`, { body: { state: 'paused' } });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(res.body.blockingFailures).toEqual([]);
    expect(byName(res.body.checks).mailboxes_healthy).toEqual({
      name: 'mailboxes_healthy',
      passed: false,
      blocking: false,
      detail: 'spare@cooloutreach.com: paused',
    });
    expect(res.body.summary).toBe(
      'Ready to launch with 1 warning(s): mailboxes_healthy (spare@cooloutreach.com: paused).',
    );
    const launch = await t.a.req('POST', `/campaigns/${id}/launch`);
    expect(launch.status).toBe(200);
    expect(launch.body).toMatchObject({ ok: true, status: 'launched' });
  });

  it('mailboxes_healthy warns about a mailbox whose inbox read is failing, and a stored failed check', async () => {
    const address = 'inbox-err@cooloutreach.com';
    const mbx = await t.a.req('POST', '/mailboxes', { body: peers.mailboxBody({ address }) });
    expect(mbx.status).toBe(201);
    await t.deps.db.orm.insert(schema.mailboxInbox).values({
      mailboxId: mbx.body.id,
      workspaceId: t.a.workspaceId,
      lastReadAt: clock.now(),
      lastError: 'IMAP connection timed out',
      updatedAt: clock.now(),
    });
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: address, dailyLimit: 10, weight: 1 },
    });
    const res = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(res.body.blockingFailures).toEqual([]);
    const health = byName(res.body.checks).mailboxes_healthy!;
    expect(health).toMatchObject({ passed: false, blocking: false });
    expect(health.detail).toBe(`${address}: inbox read failing (IMAP connection timed out)`);
    expect(res.body.summary).toMatch(/^Ready to launch with 1 warning\(s\): mailboxes_healthy \(inbox-err@/);

    // A paused mailbox is not logged in to again, but its stored failed check is reported.
    const bad = await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: BAD_IMAP, dailyLimit: 10, weight: 1 },
    });
    expect(
      byName((await t.a.req('GET', `/campaigns/${id}/preflight`)).body.checks).mailbox_auth!.passed,
    ).toBe(false);
    await t.a.req('PATCH', `/campaigns/${id}/mailboxes/${bad.body.id}`, { body: { state: 'paused' } });
    const again = await t.a.req('GET', `/campaigns/${id}/preflight`);
    expect(again.body.blockingFailures).toEqual([]);
    const detail = byName(again.body.checks).mailboxes_healthy!.detail!;
    expect(detail).toContain(`${address}: inbox read failing`);
    expect(detail).toMatch(new RegExp(`${BAD_IMAP}: paused; last IMAP check failed \\(.+\\)`));
    expect(detail).not.toContain(`${ADDRESS}:`);
  });

  it('404 for another workspace campaign, 401 without a key, 403 with another workspace id', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    for (const path of [`/campaigns/${id}/preflight`, `/campaigns/${id}/mailbox-preflight`]) {
      expectProblem(await t.b.req('GET', path), 404, 'not_found');
      expectProblem(await t.a.req('GET', path, { key: null }), 401, 'unauthorized');
      expectProblem(
        await t.a.req('GET', path, { query: { workspaceId: t.b.workspaceId } }),
        403,
        'forbidden',
      );
    }
    expectProblem(await t.a.req('GET', '/campaigns/cmp_missing/preflight'), 404, 'not_found');
  });
});

describe('mailbox preflight', () => {
  it('one item per attached mailbox with both logins, limit, sends of the last 24 h and state', async () => {
    const id = await readyCampaign(t, t.a, { mailboxAddress: ADDRESS });
    const bad = await t.a.req('POST', `/campaigns/${id}/mailboxes`, {
      body: { mailboxAddress: BAD_IMAP, dailyLimit: 12, weight: 5 },
    });
    await t.a.req('PATCH', `/campaigns/${id}/mailboxes/${bad.body.id}`, { body: { state: 'paused' } });
    const [good] = (await t.a.req('GET', `/campaigns/${id}/mailboxes`)).body.items;
    // Two sends by the good campaign mailbox: one 2 h ago, one 25 h ago (outside the day).
    const [contact] = (
      await t.deps.db.client.execute({
        sql: 'SELECT id, email FROM contacts WHERE campaign_id = ? LIMIT 1',
        args: [id],
      })
    ).rows;
    for (const [i, at] of [clock.now() - 2 * 3600_000, clock.now() - 25 * 3600_000].entries()) {
      await t.deps.db.orm.insert(schema.sends).values({
        id: newId('send', at),
        workspaceId: t.a.workspaceId,
        campaignId: id,
        contactId: String(contact!.id),
        stepId: `stp_fake${i}`,
        mailboxId: ids[ADDRESS]!,
        campaignMailboxId: good.id,
        to: String(contact!.email),
        status: 'sent',
        scheduledAt: at,
        sentAt: at,
        messageId: `<m${i}@x>`,
        createdAt: at,
        updatedAt: at,
      });
    }
    const res = await t.a.req('GET', `/campaigns/${id}/mailbox-preflight`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toMatchObject({
      campaignMailboxId: good.id,
      mailboxId: ids[ADDRESS],
      address: ADDRESS,
      smtp: { ok: true },
      imap: { ok: true },
      dailyLimit: 30,
      sentToday: 1,
      state: 'active',
    });
    expect(res.body.items[1]).toMatchObject({
      campaignMailboxId: bad.body.id,
      address: BAD_IMAP,
      smtp: { ok: true },
      imap: { ok: false },
      dailyLimit: 12,
      sentToday: 0,
      state: 'paused',
    });
    expect(res.body.items[1].imap.error).toMatch(/AUTHENTICATIONFAILED|Authentication failed/);
  });

  it('an empty list for a campaign without mailboxes', async () => {
    const { body } = await t.a.req('POST', '/campaigns', { body: { name: 'None' } });
    expect((await t.a.req('GET', `/campaigns/${body.id}/mailbox-preflight`)).body).toEqual({ items: [] });
  });
});
