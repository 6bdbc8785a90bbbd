import { changeContactStatus, newId } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

async function campaignWith(
  emails: string[],
  caller = t.a,
): Promise<{ id: string; contacts: Record<string, any> }> {
  const id = (await caller.req('POST', '/campaigns', { body: { name: 'Suppression test' } })).body.id;
  const res = await caller.req('POST', `/campaigns/${id}/contacts`, {
    body: { contacts: emails.map((email) => ({ email })) },
  });
  expect(res.status).toBe(200);
  const list = await caller.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 200 } });
  return { id, contacts: Object.fromEntries(list.body.items.map((c: any) => [c.email, c])) };
}

/** A send row in the given status (the sending engine's table), to see cancelation. */
async function send(campaignId: string, contactId: string, status: string): Promise<string> {
  const id = newId('send');
  const now = Date.now();
  await t.deps.db.client.execute({
    sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email, status, scheduled_at, message_id, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, 'mbx_x', 'cmb_x', 'x@y.io', ?, ?, ?, ?, ?)`,
    args: [id, t.a.workspaceId, campaignId, contactId, newId('step'), status, now, `<${id}@test>`, now, now],
  });
  return id;
}

async function sendStatus(id: string): Promise<string> {
  const r = await t.deps.db.client.execute({ sql: 'SELECT status FROM sends WHERE id = ?', args: [id] });
  return r.rows[0]!.status as string;
}

describe('suppressions', () => {
  it('adds emails and domains: matching contacts of every campaign become suppressed, with events; waiting sends canceled', async () => {
    const one = await campaignWith(['do-not-email@company.com', 'keep@company.com', 'x@competitor.com']);
    const two = await campaignWith(['Do-Not-Email@company.com', 'y@competitor.com', 'z@notcompetitor.com']);
    const other = await campaignWith(['do-not-email@company.com'], t.b);
    const queued = await send(one.id, one.contacts['do-not-email@company.com'].id, 'queued');
    const scheduled = await send(two.id, two.contacts['y@competitor.com'].id, 'scheduled');
    const sent = await send(one.id, one.contacts['do-not-email@company.com'].id, 'sent');
    const untouched = await send(one.id, one.contacts['keep@company.com'].id, 'queued');
    // A replied contact keeps its status.
    await changeContactStatus(
      t.deps.db,
      {
        workspaceId: t.a.workspaceId,
        contactIds: [one.contacts['x@competitor.com'].id],
        to: 'replied',
        reason: 'reply',
      },
      Date.now(),
    );

    const res = await t.a.req('POST', '/campaigns/suppressions', {
      body: {
        emails: ['do-not-email@company.com', 'unsubscribed@example.com'],
        domains: ['@Competitor.com'],
        reason: 'manual_suppression',
      },
      headers: { 'idempotency-key': 'sup-1' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ added: 3, alreadySuppressed: 0, contactsSuppressed: 3 });

    const statusOf = async (c: { id: string }) => {
      const list = await t.a.req('GET', `/campaigns/${c.id}/contacts`, { query: { limit: 200 } });
      return Object.fromEntries(list.body.items.map((x: any) => [x.email, x.status]));
    };
    expect(await statusOf(one)).toEqual({
      'do-not-email@company.com': 'suppressed',
      'keep@company.com': 'pending',
      'x@competitor.com': 'replied',
    });
    expect(await statusOf(two)).toEqual({
      'do-not-email@company.com': 'suppressed',
      'y@competitor.com': 'suppressed',
      'z@notcompetitor.com': 'pending',
    });
    const theirs = await t.b.req('GET', `/campaigns/${other.id}/contacts`);
    expect(theirs.body.items[0].status).toBe('pending');

    expect(await sendStatus(queued)).toBe('canceled');
    expect(await sendStatus(scheduled)).toBe('canceled');
    expect(await sendStatus(sent)).toBe('sent');
    expect(await sendStatus(untouched)).toBe('queued');

    const changes = await t.a.req('GET', `/campaigns/${two.id}/contacts/changes`);
    expect(
      changes.body.items
        .filter((c: any) => c.status === 'suppressed')
        .map((c: any) => [c.email, c.previousStatus]),
    ).toEqual([
      ['do-not-email@company.com', 'pending'],
      ['y@competitor.com', 'pending'],
    ]);
    const ev = await t.deps.db.client.execute({
      sql: "SELECT id, data FROM events WHERE type = 'contact.status_changed' AND contact_id = ?",
      args: [two.contacts['y@competitor.com'].id],
    });
    expect(ev.rows[0]!.id).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(JSON.parse(ev.rows[0]!.data as string)).toMatchObject({
      status: 'suppressed',
      previousStatus: 'pending',
      suppressionReason: 'manual_suppression',
    });

    // Again: nothing new, no second event.
    const again = await t.a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['DO-NOT-EMAIL@company.com'], domains: ['competitor.com'], reason: 'again' },
    });
    expect(again.body).toEqual({ added: 0, alreadySuppressed: 2, contactsSuppressed: 0 });
    const replay = await t.a.req('POST', '/campaigns/suppressions', {
      body: {
        emails: ['do-not-email@company.com', 'unsubscribed@example.com'],
        domains: ['@Competitor.com'],
        reason: 'manual_suppression',
      },
      headers: { 'idempotency-key': 'sup-1' },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('status by address and by domain; list with cursor; delete', async () => {
    await t.a.req('POST', '/campaigns/suppressions', {
      body: {
        emails: ['s1@status.io', 's2@status.io', 's3@status.io'],
        domains: ['blocked.io'],
        reason: 'bounced',
      },
    });
    const byEmail = await t.a.req('GET', '/campaigns/suppressions/status', {
      query: { email: 'S1@status.io' },
    });
    expect(byEmail.body).toMatchObject({
      email: 's1@status.io',
      suppressed: true,
      reason: 'bounced',
      source: 'email',
    });
    expect(byEmail.body.createdAt).toMatch(/Z$/);
    const byDomain = await t.a.req('GET', '/campaigns/suppressions/status', {
      query: { email: 'anyone@blocked.io' },
    });
    expect(byDomain.body).toMatchObject({ suppressed: true, source: 'domain', reason: 'bounced' });
    const none = await t.a.req('GET', '/campaigns/suppressions/status', {
      query: { email: 'free@status.io' },
    });
    expect(none.body).toEqual({
      email: 'free@status.io',
      suppressed: false,
      reason: null,
      source: null,
      createdAt: null,
    });
    const sub = await t.a.req('GET', '/campaigns/suppressions/status', {
      query: { email: 'x@sub.blocked.io' },
    });
    expect(sub.body.suppressed).toBe(false);
    expectProblem(await t.a.req('GET', '/campaigns/suppressions/status'), 422, 'validation_failed', 'email');

    const seen: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.a.req('GET', '/campaigns/suppressions', { query: { limit: 2, cursor } });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor ?? undefined;
    } while (cursor);
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    expect(seen.map((s) => s.email ?? s.domain)).toEqual(
      expect.arrayContaining(['s1@status.io', 's2@status.io', 's3@status.io', 'blocked.io']),
    );
    expect(seen.find((s) => s.domain === 'blocked.io')).toMatchObject({
      kind: 'domain',
      email: null,
      reason: 'bounced',
    });
    const domains = await t.a.req('GET', '/campaigns/suppressions', { query: { kind: 'domain' } });
    expect(domains.body.items.every((s: any) => s.kind === 'domain')).toBe(true);

    expect(
      (await t.a.req('DELETE', '/campaigns/suppressions', { query: { email: 'S2@status.io' } })).status,
    ).toBe(204);
    expect(
      (await t.a.req('GET', '/campaigns/suppressions/status', { query: { email: 's2@status.io' } })).body
        .suppressed,
    ).toBe(false);
    expect(
      (await t.a.req('DELETE', '/campaigns/suppressions', { query: { domain: 'blocked.io' } })).status,
    ).toBe(204);
    expect(
      (await t.a.req('GET', '/campaigns/suppressions/status', { query: { email: 'anyone@blocked.io' } })).body
        .suppressed,
    ).toBe(false);
    expectProblem(
      await t.a.req('DELETE', '/campaigns/suppressions', { query: { email: 's2@status.io' } }),
      404,
      'not_found',
    );
    expectProblem(await t.a.req('DELETE', '/campaigns/suppressions'), 422, 'validation_failed', 'email');
  });

  it('422 naming each bad entry; workspaces do not see each other; 401; 403', async () => {
    const bad = await t.a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['ok@fine.io', 'a@', '@b.c'], domains: ['not a domain'], reason: 'x' },
    });
    expectProblem(bad, 422, 'validation_failed', 'emails.1');
    expect(bad.body.errors.map((e: any) => e.path)).toEqual(['emails.1', 'emails.2', 'domains.0']);
    expect(
      (await t.a.req('GET', '/campaigns/suppressions/status', { query: { email: 'ok@fine.io' } })).body
        .suppressed,
    ).toBe(false);
    expectProblem(
      await t.a.req('POST', '/campaigns/suppressions', { body: { emails: [], reason: 'x' } }),
      422,
      'validation_failed',
      'emails',
    );
    expectProblem(
      await t.a.req('POST', '/campaigns/suppressions', { body: { emails: ['a@b.io'] } }),
      422,
      'validation_failed',
      'reason',
    );

    await t.a.req('POST', '/campaigns/suppressions', { body: { emails: ['mine@a.io'], reason: 'x' } });
    expect(
      (await t.b.req('GET', '/campaigns/suppressions/status', { query: { email: 'mine@a.io' } })).body
        .suppressed,
    ).toBe(false);
    const theirList = await t.b.req('GET', '/campaigns/suppressions', { query: { limit: 200 } });
    expect(theirList.body.items.map((s: any) => s.email)).not.toContain('mine@a.io');
    expectProblem(
      await t.b.req('DELETE', '/campaigns/suppressions', { query: { email: 'mine@a.io' } }),
      404,
      'not_found',
    );
    expectProblem(await t.a.req('GET', '/campaigns/suppressions', { key: null }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('GET', '/campaigns/suppressions', { query: { workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.a.req('POST', '/campaigns/suppressions', {
        body: { emails: ['a@b.io'], reason: 'x' },
        query: { workspaceId: t.b.workspaceId },
      }),
      403,
      'forbidden',
    );
  });
});

describe('changeContactStatus', () => {
  it('writes the change and its event in one batch, cancels waiting sends when the contact stops, skips no-ops', async () => {
    const c = await campaignWith(['a@svc.io', 'b@svc.io']);
    const a = c.contacts['a@svc.io'].id;
    const b = c.contacts['b@svc.io'].id;
    const waiting = await send(c.id, a, 'scheduled');
    const activate = await changeContactStatus(
      t.deps.db,
      { workspaceId: t.a.workspaceId, contactIds: [a, b], to: 'active', reason: 'launch' },
      Date.now(),
    );
    expect(activate.changed).toBe(2);
    expect(await sendStatus(waiting)).toBe('scheduled');
    // The (deps, {contactId, status}) form the sending engine uses.
    const done = await changeContactStatus(t.deps, {
      workspaceId: t.a.workspaceId,
      campaignId: c.id,
      contactId: a,
      status: 'bounced',
      data: { smtp: 550 },
    });
    expect(done.changed).toBe(1);
    expect(await sendStatus(waiting)).toBe('canceled');
    const noop = await changeContactStatus(t.deps, {
      workspaceId: t.a.workspaceId,
      contactId: a,
      status: 'bounced',
    });
    expect(noop.changed).toBe(0);
    // `from` guards: only active contacts complete.
    const guarded = await changeContactStatus(
      t.deps.db,
      { workspaceId: t.a.workspaceId, contactIds: [a, b], to: 'completed', from: ['active'] },
      Date.now(),
    );
    expect(guarded.changed).toBe(1);
    // Another workspace's contact is never touched.
    const other = await changeContactStatus(
      t.deps.db,
      { workspaceId: t.b.workspaceId, contactIds: [b], to: 'failed' },
      Date.now(),
    );
    expect(other.changed).toBe(0);
    const changes = await t.a.req('GET', `/campaigns/${c.id}/contacts/changes`);
    expect(changes.body.items.map((x: any) => [x.email, x.previousStatus, x.status])).toEqual([
      ['a@svc.io', null, 'pending'],
      ['b@svc.io', null, 'pending'],
      ['a@svc.io', 'pending', 'active'],
      ['b@svc.io', 'pending', 'active'],
      ['a@svc.io', 'active', 'bounced'],
      ['b@svc.io', 'active', 'completed'],
    ]);
    const ev = await t.deps.db.client.execute({
      sql: "SELECT data FROM events WHERE contact_id = ? AND type = 'contact.status_changed' ORDER BY id",
      args: [a],
    });
    expect(JSON.parse(ev.rows[1]!.data as string)).toMatchObject({
      status: 'bounced',
      previousStatus: 'active',
      smtp: 550,
      campaignId: c.id,
    });
  });
});
