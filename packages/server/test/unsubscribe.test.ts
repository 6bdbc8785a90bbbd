import { isSuppressed, unsubscribeTargets, unsubscribeToken } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Seeded, seedCampaign } from './seed-sends';
import { call, expectProblem, makeTestApp, type Res, type TestApp } from './support';

let t: TestApp;
/** c0 got step 1 (sent) and has step 2 waiting (scheduled); c1 is active with nothing sent yet. */
let s: Seeded;
/** Another campaign of workspace A with c0's address, and one of workspace B. */
let other: Seeded;
let otherWs: Seeded;

/** An unauthenticated request, as a mail client or a browser makes it. */
const pub = (
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Res> => call(t.app, method, path, { raw: init.body, headers: init.headers, key: null });

const oneClick = (token: string) =>
  pub('POST', `/u/${token}`, {
    body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

async function contactStatus(id: string): Promise<string> {
  const r = await t.deps.db.client.execute({ sql: 'SELECT status FROM contacts WHERE id = ?', args: [id] });
  return r.rows[0]!.status as string;
}
async function sendStatus(id: string): Promise<string> {
  const r = await t.deps.db.client.execute({ sql: 'SELECT status FROM sends WHERE id = ?', args: [id] });
  return r.rows[0]!.status as string;
}
async function events(contactId: string, type: string) {
  const r = await t.deps.db.client.execute({
    sql: 'SELECT data FROM events WHERE contact_id = ? AND type = ? ORDER BY id',
    args: [contactId, type],
  });
  return r.rows.map((row) => JSON.parse(row.data as string) as Record<string, unknown>);
}

beforeAll(async () => {
  t = await makeTestApp();
  s = await seedCampaign(t.deps, t.a.workspaceId, {
    steps: [{}, {}],
    contacts: [
      { email: 'Sarah@Acme.com', status: 'active' },
      { email: 'mike@bigco.io', status: 'active' },
      { email: 'ann@corp.example', status: 'active' },
    ],
    sends: [
      { contact: 0, step: 0, status: 'sent' },
      { contact: 0, step: 1, status: 'scheduled' },
      { contact: 2, step: 0, status: 'sent' },
      { contact: 2, step: 1, status: 'queued' },
    ],
  });
  other = await seedCampaign(t.deps, t.a.workspaceId, {
    steps: [{}],
    contacts: [{ email: 'sarah@acme.com', status: 'active' }],
    sends: [{ contact: 0, step: 0, status: 'scheduled' }],
  });
  otherWs = await seedCampaign(t.deps, t.b.workspaceId, {
    steps: [{}],
    contacts: [{ email: 'sarah@acme.com', status: 'active' }],
  });
});
afterAll(() => t.close());

describe('unsubscribe links', () => {
  it('the List-Unsubscribe link of a send points at /u/{token} on the public URL', () => {
    const targets = unsubscribeTargets(
      t.deps.config.publicUrl,
      t.deps.secrets,
      s.sendIds[0]!,
      'john@cooloutreach.com',
    );
    expect(targets.url).toBe(`http://localhost:8080/u/${unsubscribeToken(t.deps.secrets, s.sendIds[0]!)}`);
  });

  it('GET shows a confirm page whose button POSTs, and unsubscribes nobody', async () => {
    const token = unsubscribeToken(t.deps.secrets, s.sendIds[0]!);
    for (let i = 0; i < 3; i++) {
      const res = await pub('GET', `/u/${token}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.text).toMatch(
        /<form method="post">[\s\S]*<button type="submit">Unsubscribe<\/button>[\s\S]*<\/form>/,
      );
      expect(res.text).toContain('sa•••@acme.com');
      expect(res.text).not.toContain('sarah@acme.com');
      expect(res.text).not.toMatch(/<script/i);
    }
    const head = await pub('HEAD', `/u/${token}`);
    expect(head.status).toBe(200);
    expect(await contactStatus(s.contactIds[0]!)).toBe('active');
    expect(await sendStatus(s.sendIds[1]!)).toBe('scheduled');
    expect((await isSuppressed(t.deps.db, t.a.workspaceId, 'sarah@acme.com')).suppressed).toBe(false);
    expect(await events(s.contactIds[0]!, 'contact.unsubscribed')).toEqual([]);
  });

  it('one-click POST unsubscribes: contact unsubscribed, waiting sends canceled, suppression, event', async () => {
    const token = unsubscribeToken(t.deps.secrets, s.sendIds[0]!);
    const res = await oneClick(token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, status: 'unsubscribed', alreadyUnsubscribed: false });

    expect(await contactStatus(s.contactIds[0]!)).toBe('unsubscribed');
    expect(await sendStatus(s.sendIds[0]!)).toBe('sent'); // already delivered: left alone
    expect(await sendStatus(s.sendIds[1]!)).toBe('canceled');
    const sup = await isSuppressed(t.deps.db, t.a.workspaceId, 'sarah@acme.com');
    expect(sup).toMatchObject({ suppressed: true, reason: 'unsubscribed', source: 'email' });
    // the API agrees
    const status = await t.a.req('GET', '/campaigns/suppressions/status', {
      query: { email: 'sarah@acme.com' },
    });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ suppressed: true, reason: 'unsubscribed' });

    const unsub = await events(s.contactIds[0]!, 'contact.unsubscribed');
    expect(unsub).toEqual([
      expect.objectContaining({
        campaignId: s.campaignId,
        contactId: s.contactIds[0],
        email: 'sarah@acme.com',
        sendId: s.sendIds[0],
        stepId: s.stepIds[0],
        source: 'one_click',
        previousStatus: 'active',
      }),
    ]);
    const changes = await events(s.contactIds[0]!, 'contact.status_changed');
    expect(changes).toEqual([
      expect.objectContaining({ status: 'unsubscribed', previousStatus: 'active', reason: 'unsubscribed' }),
    ]);

    // Workspace-wide: the same address in another campaign is suppressed, its waiting send canceled.
    expect(await contactStatus(other.contactIds[0]!)).toBe('suppressed');
    expect(await sendStatus(other.sendIds[0]!)).toBe('canceled');
    // Another workspace is not touched; nor are other contacts of the campaign.
    expect(await contactStatus(otherWs.contactIds[0]!)).toBe('active');
    expect((await isSuppressed(t.deps.db, t.b.workspaceId, 'sarah@acme.com')).suppressed).toBe(false);
    expect(await contactStatus(s.contactIds[1]!)).toBe('active');
    expect(await sendStatus(s.sendIds[3]!)).toBe('queued');

    // The stats see it.
    const stats = await t.a.req('GET', `/campaigns/${s.campaignId}/stats`);
    expect(stats.body.contacts).toMatchObject({ unsubscribed: 1, active: 2 });
  });

  it('is idempotent: a second POST is fine and changes nothing', async () => {
    const token = unsubscribeToken(t.deps.secrets, s.sendIds[0]!);
    const again = await oneClick(token);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, status: 'unsubscribed', alreadyUnsubscribed: true });
    const empty = await pub('POST', `/u/${token}`);
    expect(empty.status).toBe(200);
    expect(await events(s.contactIds[0]!, 'contact.unsubscribed')).toHaveLength(1);
    expect(await events(s.contactIds[0]!, 'contact.status_changed')).toHaveLength(1);
    const page = await pub('GET', `/u/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('already unsubscribed');
    expect(page.text).not.toContain('<form');
  });

  it("the confirm page's button gets an HTML answer; an empty one-click POST works too", async () => {
    const token = unsubscribeToken(t.deps.secrets, s.sendIds[2]!);
    const res = await pub('POST', `/u/${token}`, {
      body: 'confirm=yes',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('You are unsubscribed');
    expect(await contactStatus(s.contactIds[2]!)).toBe('unsubscribed');
    expect(await sendStatus(s.sendIds[3]!)).toBe('canceled');
    expect((await events(s.contactIds[2]!, 'contact.unsubscribed'))[0]).toMatchObject({ source: 'link' });

    // A contact token (no send yet), POSTed with an empty body as some mail clients do.
    const contactToken = unsubscribeToken(t.deps.secrets, s.contactIds[1]!);
    const empty = await pub('POST', `/u/${contactToken}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ ok: true, status: 'unsubscribed' });
    expect(await contactStatus(s.contactIds[1]!)).toBe('unsubscribed');
    expect((await isSuppressed(t.deps.db, t.a.workspaceId, 'mike@bigco.io')).reason).toBe('unsubscribed');
  });

  it('multipart one-click bodies are accepted (RFC 8058 allows them)', async () => {
    const seeded = await seedCampaign(t.deps, t.a.workspaceId, {
      steps: [{}],
      contacts: [{ email: 'multi@part.example', status: 'active' }],
    });
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const res = await t.app.request(`/u/${unsubscribeToken(t.deps.secrets, seeded.contactIds[0]!)}`, {
      method: 'POST',
      body: form,
    });
    expect(res.status).toBe(200);
    expect(await contactStatus(seeded.contactIds[0]!)).toBe('unsubscribed');
  });

  it('forged, malformed or dangling tokens are 404 and change nothing', async () => {
    const good = unsubscribeToken(t.deps.secrets, s.sendIds[0]!);
    const forgedSig = `${other.sendIds[0]}.${good.slice(good.lastIndexOf('.') + 1)}`;
    const dangling = unsubscribeToken(t.deps.secrets, 'snd_0000000000000000000000000000');
    for (const token of [forgedSig, 'nope', `${other.sendIds[0]}.`, 'snd_abc.xyz', dangling, `${good}x`]) {
      const page = await pub('GET', `/u/${encodeURIComponent(token)}`);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('This link is not valid');
      expectProblem(await oneClick(encodeURIComponent(token)), 404, 'not_found');
      const fromPage = await pub('POST', `/u/${encodeURIComponent(token)}`, {
        body: 'confirm=yes',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(fromPage.status).toBe(404);
      expect(fromPage.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect(await contactStatus(other.contactIds[0]!)).toBe('suppressed'); // from sarah's unsubscribe, not from these
    const r = await t.deps.db.client.execute({
      sql: "SELECT count(*) AS n FROM events WHERE type = 'contact.unsubscribed'",
      args: [],
    });
    expect(Number(r.rows[0]!.n)).toBe(4);
  });

  it('an Idempotency-Key header on the public POST is harmless', async () => {
    const seeded = await seedCampaign(t.deps, t.a.workspaceId, {
      steps: [{}],
      contacts: [{ email: 'idem@x.example', status: 'active' }],
    });
    const token = unsubscribeToken(t.deps.secrets, seeded.contactIds[0]!);
    for (let i = 0; i < 2; i++) {
      const res = await pub('POST', `/u/${token}`, { headers: { 'idempotency-key': 'same-key' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, alreadyUnsubscribed: i === 1 });
    }
    expect(await contactStatus(seeded.contactIds[0]!)).toBe('unsubscribed');
  });

  it('needs no API key, and an API key does not change anything', async () => {
    const seeded = await seedCampaign(t.deps, t.a.workspaceId, {
      steps: [{}],
      contacts: [{ email: 'keyed@x.example', status: 'active' }],
    });
    const token = unsubscribeToken(t.deps.secrets, seeded.contactIds[0]!);
    const withKey = await t.b.req('GET', `/u/${token}`, { workspace: false });
    expect(withKey.status).toBe(200);
    expect(withKey.text).toContain('ke•••@x.example');
  });
});
