import { unguardCsvCell } from '@outreach/shared';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE_SIZE } from '../src/routes/export/get';
import { type Seeded, seedCampaign } from './seed-sends';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
/** The hand-built campaign whose counts are written out below. */
let s: Seeded;
/** A bigger campaign (more rows than one export page). */
let big: Seeded;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

beforeAll(async () => {
  t = await makeTestApp();
  s = await seedCampaign(t.deps, t.a.workspaceId, {
    name: 'Q1 SaaS Outreach',
    steps: [{ variants: [70, 30] }, {}],
    contacts: [
      { email: 'c0@acme.com', status: 'active' },
      { email: 'c1@acme.com', status: 'active' },
      { email: 'c2@acme.com', status: 'completed' },
      { email: 'c3@acme.com', status: 'replied' },
      { email: 'c4@acme.com', status: 'bounced' },
      { email: 'c5@acme.com' },
      { email: 'c6@acme.com', status: 'unsubscribed' },
      { email: 'c7@acme.com', status: 'suppressed' },
      { email: 'c8@acme.com', status: 'failed' },
      { email: 'c9@acme.com' },
    ],
    sends: [
      { contact: 0, step: 0, variant: 0, status: 'sent' },
      { contact: 1, step: 0, variant: 1, status: 'sent' },
      { contact: 2, step: 0, variant: 0, status: 'sent' },
      { contact: 2, step: 1, status: 'sent' },
      { contact: 3, step: 0, variant: 1, status: 'replied' },
      { contact: 4, step: 0, variant: 0, status: 'bounced', error: '550 5.1.1 no such user' },
      { contact: 6, step: 0, variant: 0, status: 'sent' },
      { contact: 6, step: 1, status: 'canceled' },
      { contact: 8, step: 0, variant: 1, status: 'failed', attempts: 3, error: '451 4.7.1 try again later' },
      { contact: 0, step: 1, status: 'scheduled' },
      { contact: 1, step: 1, status: 'sending', attempts: 1 },
    ],
  });
  const n = EXPORT_PAGE_SIZE * 2 + EXPORT_PAGE_SIZE / 2;
  big = await seedCampaign(t.deps, t.a.workspaceId, {
    name: 'Big, "quoted" export',
    steps: [{}],
    contacts: Array.from({ length: n }, (_, i) => ({
      email: `p${String(i).padStart(5, '0')}@big.example`,
      firstName: i === 0 ? '=HYPERLINK("http://evil.example","x")' : `First ${i}`,
      lastName: i === 1 ? 'Smith, "Jr"\nline two' : i === 2 ? '@home' : null,
      custom: {
        company: i % 3 === 0 ? `+Co ${i}` : `Co ${i}`,
        title: i % 2 ? 'CTO' : null,
        notes: i === 3 ? { a: [1, 2] } : `n${i}`,
      },
    })),
    sends: Array.from({ length: n }, (_, i) => ({
      contact: i,
      step: 0,
      status: (['sent', 'failed', 'bounced', 'replied', 'canceled'] as const)[i % 5]!,
      error: i % 5 === 1 ? '-ERR mailbox full, "really"' : null,
    })),
  });
  // Another workspace's campaign with sends of its own: never counted, never listed.
  await seedCampaign(t.deps, t.b.workspaceId, {
    steps: [{}],
    contacts: [{ email: 'c0@acme.com', status: 'active' }],
    sends: [{ contact: 0, step: 0, status: 'sent' }],
  });
}, 60_000);
afterAll(() => t.close());

describe('GET /campaigns/{id}/sends', () => {
  it('lists every send oldest first with the seed fields', async () => {
    const res = await t.a.req('GET', `/campaigns/${s.campaignId}/sends`);
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(s.sendIds);
    const first = res.body.items[0];
    expect(first).toEqual({
      id: s.sendIds[0],
      campaignId: s.campaignId,
      contactId: s.contactIds[0],
      stepId: s.stepIds[0],
      subsequenceId: null,
      variantId: s.variantIds[0]![0],
      mailboxId: 'mbx_seed',
      to: 'c0@acme.com',
      status: 'sent',
      attempts: 1,
      scheduledAt: expect.stringMatching(ISO),
      sentAt: expect.stringMatching(ISO),
      messageId: `<${s.sendIds[0]}@seed.test>`,
      error: null,
    });
    const failed = res.body.items[8];
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: '451 4.7.1 try again later',
      sentAt: null,
    });
  });

  it('pages with a cursor: no gap, no repeat', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await t.a.req('GET', `/campaigns/${s.campaignId}/sends`, { query: { limit: 4, cursor } });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(s.sendIds);
  });

  it('filters by status and by contact', async () => {
    const sent = await t.a.req('GET', `/campaigns/${s.campaignId}/sends`, { query: { status: 'sent' } });
    expect(sent.body.items.map((i: { id: string }) => i.id)).toEqual(
      [0, 1, 2, 3, 6].map((i) => s.sendIds[i]),
    );
    const c2 = await t.a.req('GET', `/campaigns/${s.campaignId}/sends`, {
      query: { contactId: s.contactIds[2] },
    });
    expect(c2.body.items.map((i: { stepId: string }) => i.stepId)).toEqual(s.stepIds);
    const both = await t.a.req('GET', `/campaigns/${s.campaignId}/sends`, {
      query: { contactId: s.contactIds[6], status: 'canceled' },
    });
    expect(both.body.items.map((i: { id: string }) => i.id)).toEqual([s.sendIds[7]]);
  });

  it('422 names the failing field', async () => {
    const path = `/campaigns/${s.campaignId}/sends`;
    expectProblem(
      await t.a.req('GET', path, { query: { status: 'delivered' } }),
      422,
      'validation_failed',
      'status',
    );
    expectProblem(await t.a.req('GET', path, { query: { limit: 0 } }), 422, 'validation_failed', 'limit');
    expectProblem(await t.a.req('GET', path, { query: { limit: 201 } }), 422, 'validation_failed', 'limit');
    expectProblem(
      await t.a.req('GET', path, { query: { cursor: 'not-a-cursor' } }),
      422,
      'validation_failed',
      'cursor',
    );
  });

  it('401, 403 with the other workspace id, 404 for the other workspace campaign', async () => {
    const path = `/campaigns/${s.campaignId}/sends`;
    expectProblem(await t.a.req('GET', path, { key: null }), 401, 'unauthorized');
    expectProblem(await t.a.req('GET', path, { key: 'osk_wrong' }), 401, 'unauthorized');
    expectProblem(await t.a.req('GET', path, { query: { workspaceId: t.b.workspaceId } }), 403, 'forbidden');
    expectProblem(await t.b.req('GET', path), 404, 'not_found');
  });
});

describe('GET /campaigns/{id}/stats', () => {
  it('agrees with the hand-built set of contacts and sends', async () => {
    const res = await t.a.req('GET', `/campaigns/${s.campaignId}/stats`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      campaignId: s.campaignId,
      status: 'draft',
      contacts: {
        total: 10,
        active: 2,
        completed: 1,
        replied: 1,
        bounced: 1,
        pending: 2,
        unsubscribed: 1,
        suppressed: 1,
        failed: 1,
      },
      // 11 rows; sent = 5 `sent` + 1 `replied` (a replied message was sent).
      sends: { total: 11, sent: 6, failed: 1, bounced: 1, replied: 1, interrupted: 0 },
      steps: [
        {
          stepId: s.stepIds[0],
          order: 1,
          subsequenceId: null,
          sent: 5,
          replied: 1,
          bounced: 1,
          variants: [
            { variantId: s.variantIds[0]![0], sent: 3, replied: 0, bounced: 1 },
            { variantId: s.variantIds[0]![1], sent: 2, replied: 1, bounced: 0 },
          ],
        },
        {
          stepId: s.stepIds[1],
          order: 2,
          subsequenceId: null,
          sent: 1,
          replied: 0,
          bounced: 0,
          variants: [],
        },
      ],
      subsequences: [],
    });
  });

  it('counts the big campaign by its statuses', async () => {
    const res = await t.a.req('GET', `/campaigns/${big.campaignId}/stats`);
    const n = big.sendIds.length; // 2.5 pages (625): statuses cycle sent, failed, bounced, replied, canceled
    expect(res.body.contacts).toMatchObject({ total: n, pending: n });
    expect(res.body.sends).toEqual({
      total: n,
      sent: (2 * n) / 5,
      failed: n / 5,
      bounced: n / 5,
      replied: n / 5,
      interrupted: 0,
    });
    expect(res.body.steps[0]).toMatchObject({
      order: 1,
      sent: (2 * n) / 5,
      replied: n / 5,
      bounced: n / 5,
      variants: [],
    });
  });

  it('an empty campaign counts zeros', async () => {
    const { body: c } = await t.a.req('POST', '/campaigns', { body: { name: 'Empty' } });
    const res = await t.a.req('GET', `/campaigns/${c.id}/stats`);
    expect(res.body).toEqual({
      campaignId: c.id,
      status: 'draft',
      contacts: {
        total: 0,
        active: 0,
        completed: 0,
        replied: 0,
        bounced: 0,
        pending: 0,
        unsubscribed: 0,
        suppressed: 0,
        failed: 0,
      },
      sends: { total: 0, sent: 0, failed: 0, bounced: 0, replied: 0, interrupted: 0 },
      steps: [],
      subsequences: [],
    });
  });

  it('401, 403, 404', async () => {
    const path = `/campaigns/${s.campaignId}/stats`;
    expectProblem(await t.a.req('GET', path, { key: null }), 401, 'unauthorized');
    expectProblem(await t.a.req('GET', path, { query: { workspaceId: t.b.workspaceId } }), 403, 'forbidden');
    expectProblem(await t.b.req('GET', path), 404, 'not_found');
    expectProblem(await t.a.req('GET', '/campaigns/cmp_doesnotexist/stats'), 404, 'not_found');
  });

  it('422 names the failing field', async () => {
    expectProblem(
      await t.a.req('GET', `/campaigns/${s.campaignId}/stats`, { query: { workspaceId: 'abc' } }),
      422,
      'validation_failed',
      'workspaceId',
    );
  });
});

/** Parses a CSV body back (papaparse), undoing the formula guard. */
function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  const [header, ...data] = parsed.data;
  return {
    header: header!,
    rows: data.map((cells) => Object.fromEntries(header!.map((h, i) => [h, unguardCsvCell(cells[i] ?? '')]))),
  };
}

const isoOrEmpty = (ms: unknown) =>
  ms == null ? '' : new Date(Number(ms)).toISOString().replace('.000Z', 'Z');

describe('GET /campaigns/{id}/export', () => {
  it('kind=summary answers the stats and a per-step/variant table', async () => {
    const res = await t.a.req('GET', `/campaigns/${s.campaignId}/export`, { query: { kind: 'summary' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const stats = await t.a.req('GET', `/campaigns/${s.campaignId}/stats`);
    expect(res.body.stats).toEqual(stats.body);
    expect(res.body.campaign).toMatchObject({ id: s.campaignId, name: 'Q1 SaaS Outreach', status: 'draft' });
    expect(res.body.generatedAt).toMatch(ISO);
    expect(res.body.table).toEqual([
      {
        stepId: s.stepIds[0],
        order: 1,
        subsequenceId: null,
        variantId: null,
        sent: 5,
        replied: 1,
        bounced: 1,
        replyRate: 0.2,
        bounceRate: 0.1667,
      },
      {
        stepId: s.stepIds[0],
        order: 1,
        subsequenceId: null,
        variantId: s.variantIds[0]![0],
        sent: 3,
        replied: 0,
        bounced: 1,
        replyRate: 0,
        bounceRate: 0.25,
      },
      {
        stepId: s.stepIds[0],
        order: 1,
        subsequenceId: null,
        variantId: s.variantIds[0]![1],
        sent: 2,
        replied: 1,
        bounced: 0,
        replyRate: 0.5,
        bounceRate: 0,
      },
      {
        stepId: s.stepIds[1],
        order: 2,
        subsequenceId: null,
        variantId: null,
        sent: 1,
        replied: 0,
        bounced: 0,
        replyRate: 0,
        bounceRate: 0,
      },
    ]);
    // summary is the default kind
    const dflt = await t.a.req('GET', `/campaigns/${s.campaignId}/export`);
    expect(dflt.body.table).toEqual(res.body.table);
  });

  it('kind=sends streams CSV that parses back to the database rows', async () => {
    const res = await t.a.req('GET', `/campaigns/${big.campaignId}/export`, { query: { kind: 'sends' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="big-quoted-export_cmp_[0-9a-z]+_sends_\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.text.endsWith('\r\n')).toBe(true);
    const { header, rows } = parseCsv(res.text);
    expect(header).toEqual([
      'id',
      'campaignId',
      'contactId',
      'stepId',
      'variantId',
      'mailboxId',
      'to',
      'status',
      'attempts',
      'scheduledAt',
      'sentAt',
      'messageId',
      'error',
    ]);
    const db = await t.deps.db.client.execute({
      sql: 'SELECT * FROM sends WHERE campaign_id = ? ORDER BY id',
      args: [big.campaignId],
    });
    expect(rows.length).toBe(db.rows.length);
    expect(rows.length).toBeGreaterThan(EXPORT_PAGE_SIZE * 2);
    expect(rows).toEqual(
      db.rows.map((r) => ({
        id: r.id,
        campaignId: r.campaign_id,
        contactId: r.contact_id,
        stepId: r.step_id,
        variantId: r.variant_id ?? '',
        mailboxId: r.mailbox_id,
        to: r.to_email,
        status: r.status,
        attempts: String(r.attempts),
        scheduledAt: isoOrEmpty(r.scheduled_at),
        sentAt: isoOrEmpty(r.sent_at),
        messageId: r.message_id,
        error: r.error ?? '',
      })),
    );
    // The formula guard is in the raw text: an error starting with `-` is written `'-ERR…`, quoted (comma, quotes).
    expect(res.text).toContain(`"'-ERR mailbox full, ""really"""`);
  });

  it('kind=contacts streams CSV with a column per custom field, guarded against formulas', async () => {
    const res = await t.a.req('GET', `/campaigns/${big.campaignId}/export`, { query: { kind: 'contacts' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*_contacts_.*\.csv"$/);
    const { header, rows } = parseCsv(res.text);
    expect(header).toEqual([
      'id',
      'email',
      'firstName',
      'lastName',
      'status',
      'currentStep',
      'mailboxId',
      'lastSentAt',
      'createdAt',
      'updatedAt',
      'company',
      'title',
      'notes',
    ]);
    const db = await t.deps.db.client.execute({
      sql: 'SELECT * FROM contacts WHERE campaign_id = ? ORDER BY id',
      args: [big.campaignId],
    });
    expect(rows).toEqual(
      db.rows.map((r) => {
        const custom = JSON.parse(r.custom_json as string) as Record<string, unknown>;
        const cell = (v: unknown) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
        return {
          id: r.id,
          email: r.email,
          firstName: r.first_name ?? '',
          lastName: r.last_name ?? '',
          status: r.status,
          currentStep: String(r.current_step),
          mailboxId: r.mailbox_id ?? '',
          lastSentAt: isoOrEmpty(r.last_sent_at),
          createdAt: isoOrEmpty(r.created_at),
          updatedAt: isoOrEmpty(r.updated_at),
          company: cell(custom.company),
          title: cell(custom.title),
          notes: cell(custom.notes),
        };
      }),
    );
    // Formula cells reach the file with a leading quote; RFC 4180 quoting survives commas, quotes, newlines.
    const raw = Papa.parse<string[]>(res.text, { skipEmptyLines: true }).data;
    const byEmail = new Map(raw.slice(1).map((r) => [r[1], r]));
    expect(byEmail.get('p00000@big.example')![2]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(byEmail.get('p00000@big.example')![10]).toBe(`'+Co 0`);
    expect(byEmail.get('p00001@big.example')![3]).toBe('Smith, "Jr"\nline two');
    expect(byEmail.get('p00002@big.example')![3]).toBe(`'@home`);
    expect(byEmail.get('p00003@big.example')![12]).toBe('{"a":[1,2]}');
  });

  it('a custom field named like a fixed column gets a column of its own', async () => {
    const c = await seedCampaign(t.deps, t.a.workspaceId, {
      steps: [{}],
      contacts: [{ email: 'x@clash.example', firstName: 'X', custom: { status: 'VIP', region: 'EU' } }],
    });
    const res = await t.a.req('GET', `/campaigns/${c.campaignId}/export`, { query: { kind: 'contacts' } });
    const { header, rows } = parseCsv(res.text);
    expect(header.slice(10)).toEqual(['custom.status', 'region']);
    expect(rows[0]).toMatchObject({
      email: 'x@clash.example',
      status: 'pending',
      'custom.status': 'VIP',
      region: 'EU',
    });
  });

  it('streams page by page: the header, then one chunk per page read from the database', async () => {
    const res = await t.app.request(
      `/campaigns/${big.campaignId}/export?kind=sends&workspaceId=${t.a.workspaceId}`,
      {
        headers: { authorization: `Bearer ${t.a.apiKey}` },
      },
    );
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    const lines = (c: string) => c.split('\r\n').filter(Boolean).length;
    expect(lines(chunks[0]!)).toBe(1);
    expect(chunks.slice(1).map(lines)).toEqual([EXPORT_PAGE_SIZE, EXPORT_PAGE_SIZE, EXPORT_PAGE_SIZE / 2]);
  });

  it('reads the database only as fast as the client reads the body (memory stays flat)', async () => {
    // the export's pages are hot reads (db.read): count the sends pages there
    const db = t.deps.db as { read: typeof t.deps.db.read };
    const real = db.read;
    let pageReads = 0;
    db.read = (stmt) => {
      if (/FROM sends WHERE/.test(stmt.sql)) pageReads++;
      return real(stmt);
    };
    try {
      const res = await t.app.request(
        `/campaigns/${big.campaignId}/export?kind=sends&workspaceId=${t.a.workspaceId}`,
        {
          headers: { authorization: `Bearer ${t.a.apiKey}` },
        },
      );
      const reader = res.body!.getReader();
      await reader.read(); // the header
      await reader.read(); // the first page
      await new Promise((r) => setTimeout(r, 100));
      // one page read, at most one more buffered ahead; the 3 pages are not all read
      expect(pageReads).toBeGreaterThanOrEqual(1);
      expect(pageReads).toBeLessThanOrEqual(2);
      let rest = 0;
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
        rest++;
      }
      expect(rest).toBeGreaterThanOrEqual(1);
      expect(pageReads).toBe(3);
    } finally {
      db.read = real;
    }
  });

  it('a client that stops reading cancels the export', async () => {
    const res = await t.app.request(
      `/campaigns/${big.campaignId}/export?kind=contacts&workspaceId=${t.a.workspaceId}`,
      {
        headers: { authorization: `Bearer ${t.a.apiKey}` },
      },
    );
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // the app still answers afterwards
    expect((await t.a.req('GET', `/campaigns/${big.campaignId}/stats`)).status).toBe(200);
  });

  it('422 names kind; 401; 403; 404', async () => {
    const path = `/campaigns/${s.campaignId}/export`;
    expectProblem(
      await t.a.req('GET', path, { query: { kind: 'everything' } }),
      422,
      'validation_failed',
      'kind',
    );
    expectProblem(await t.a.req('GET', path, { key: null, query: { kind: 'sends' } }), 401, 'unauthorized');
    expectProblem(
      await t.a.req('GET', path, { query: { kind: 'sends', workspaceId: t.b.workspaceId } }),
      403,
      'forbidden',
    );
    expectProblem(await t.b.req('GET', path, { query: { kind: 'sends' } }), 404, 'not_found');
    expectProblem(await t.b.req('GET', path, { query: { kind: 'contacts' } }), 404, 'not_found');
  });
});
