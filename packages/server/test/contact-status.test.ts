import { changeContactStatus, statusChangeStatements } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

/** A campaign with these addresses as contacts; their ids by email. */
async function contacts(...emails: string[]): Promise<{ id: string; ids: Record<string, string> }> {
  const id = (await t.a.req('POST', '/campaigns', { body: { name: 'status' } })).body.id;
  const added = await t.a.req('POST', `/campaigns/${id}/contacts`, {
    body: { contacts: emails.map((email) => ({ email })) },
  });
  expect(added.status).toBe(200);
  const list = await t.a.req('GET', `/campaigns/${id}/contacts`, { query: { limit: 200 } });
  return { id, ids: Object.fromEntries(list.body.items.map((c: any) => [c.email, c.id])) };
}

const patch = (id: string, contactId: string, body: unknown) =>
  t.a.req('PATCH', `/campaigns/${id}/contacts/${contactId}`, { body });
const statusOf = async (id: string, contactId: string) =>
  (await t.a.req('GET', `/campaigns/${id}/contacts/${contactId}`)).body.status;

describe('PATCH cannot take a contact past the suppression list', () => {
  it('suppressed: 409 contact_suppressed naming the way back; after DELETE suppression the PATCH works', async () => {
    const { id, ids } = await contacts('sarah@acme.com');
    await t.a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['sarah@acme.com'], reason: 'manual' },
    });
    expect(await statusOf(id, ids['sarah@acme.com']!)).toBe('suppressed');
    for (const to of ['pending', 'active', 'completed', 'failed']) {
      const res = await patch(id, ids['sarah@acme.com']!, { status: to });
      expectProblem(res, 409, 'contact_suppressed', 'status');
      expect(res.body.detail).toContain('DELETE /campaigns/suppressions?email=sarah@acme.com');
      expect(res.body.suppression).toEqual({ source: 'email', reason: 'manual' });
    }
    expect(await statusOf(id, ids['sarah@acme.com']!)).toBe('suppressed');
    // Other fields still edit; the status stays.
    expect((await patch(id, ids['sarah@acme.com']!, { firstName: 'Sarah' })).body.status).toBe('suppressed');

    expect(
      (await t.a.req('DELETE', '/campaigns/suppressions', { query: { email: 'sarah@acme.com' } })).status,
    ).toBe(204);
    // Removing the suppression leaves the contact suppressed; re-activating is a deliberate PATCH.
    expect(await statusOf(id, ids['sarah@acme.com']!)).toBe('suppressed');
    const back = await patch(id, ids['sarah@acme.com']!, { status: 'pending' });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('pending');
  });

  it('unsubscribed (with its suppression) stays unsubscribed; a suppressed domain blocks any move to pending/active', async () => {
    const { id, ids } = await contacts('mike@bigco.io', 'ann@banned.io', 'bob@banned.io');
    await changeContactStatus(t.deps, {
      workspaceId: t.a.workspaceId,
      contactId: ids['mike@bigco.io']!,
      to: 'unsubscribed',
      reason: 'unsubscribed',
    });
    await t.a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['mike@bigco.io'], reason: 'unsubscribed' },
    });
    const res = await patch(id, ids['mike@bigco.io']!, { status: 'active' });
    expectProblem(res, 409, 'contact_suppressed', 'status');
    expect(res.body.detail).toContain('from unsubscribed to active');
    expect(await statusOf(id, ids['mike@bigco.io']!)).toBe('unsubscribed');

    // A replied contact is not moved by a new suppression, but cannot be made sendable under it.
    await patch(id, ids['ann@banned.io']!, { status: 'replied' });
    await t.a.req('POST', '/campaigns/suppressions', {
      body: { domains: ['banned.io'], reason: 'competitor' },
    });
    expect(await statusOf(id, ids['ann@banned.io']!)).toBe('replied');
    const ann = await patch(id, ids['ann@banned.io']!, { status: 'pending' });
    expectProblem(ann, 409, 'contact_suppressed', 'status');
    expect(ann.body.detail).toContain('DELETE /campaigns/suppressions?domain=banned.io');
    // Moving the suppressed address to a clean one is the other way back.
    const moved = await patch(id, ids['bob@banned.io']!, { email: 'bob@fine.io', status: 'pending' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ email: 'bob@fine.io', status: 'pending' });
    // And the reverse: a clean contact moved onto a suppressed address cannot become sendable.
    expectProblem(
      await patch(id, ids['bob@banned.io']!, { email: 'x@banned.io', status: 'active' }),
      409,
      'contact_suppressed',
    );
    expect((await t.a.req('GET', `/campaigns/${id}/contacts/${ids['bob@banned.io']}`)).body.email).toBe(
      'bob@fine.io',
    );
  });

  it('bounced: 409 contact_bounced unless the same PATCH corrects the email', async () => {
    const { id, ids } = await contacts('typo@acme.con');
    await changeContactStatus(t.deps, {
      workspaceId: t.a.workspaceId,
      contactId: ids['typo@acme.con']!,
      to: 'bounced',
      reason: 'smtp_rejected',
    });
    expectProblem(
      await patch(id, ids['typo@acme.con']!, { status: 'pending' }),
      409,
      'contact_bounced',
      'status',
    );
    expect(await statusOf(id, ids['typo@acme.con']!)).toBe('bounced');
    const fixed = await patch(id, ids['typo@acme.con']!, { email: 'typo@acme.com', status: 'pending' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ email: 'typo@acme.com', status: 'pending' });
  });

  it('the status statements themselves skip a suppressed address (no window between check and write)', async () => {
    const { ids } = await contacts('late@acme.com');
    const contactId = ids['late@acme.com']!;
    await changeContactStatus(t.deps, { workspaceId: t.a.workspaceId, contactId, to: 'completed' });
    // A suppression row lands after the service's check (written directly: no contact update).
    await t.deps.db.client.execute({
      sql: `INSERT INTO suppressions (id, workspace_id, kind, value, reason, created_at) VALUES ('sup_race', ?, 'email', 'late@acme.com', 'race', ?)`,
      args: [t.a.workspaceId, Date.now()],
    });
    const stmts = statusChangeStatements(
      { contactIds: [contactId] },
      { workspaceId: t.a.workspaceId, to: 'pending', reason: 'manual', unlessSuppressed: true },
      Date.now(),
    );
    const results = await t.deps.db.client.batch(stmts, 'write');
    expect(results[results.length - 1]!.rowsAffected).toBe(0);
    const row = await t.deps.db.client.execute({
      sql: 'SELECT status FROM contacts WHERE id = ?',
      args: [contactId],
    });
    expect(row.rows[0]!.status).toBe('completed');
  });
});
