/**
 * The stats counters (kept by triggers) against a full count after a mixed workload: CSV imports
 * with repeats, suppressions before and during sending, two launches, two dispatch workers on one
 * database file sending to a real smtp-server that refuses some recipients, replies, manual
 * status changes and deletes. Then drift put in by hand is found and corrected by the repair task.
 */
import { changeContactStatus, newId, openDb, repairCampaignCounters } from '@outreach/shared';
import { startDovecot, startSmtpServer, type TestDovecot, type TestSmtpServer } from '@outreach/testkit';
import { type RunningWorker, startWorker } from '@outreach/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
let smtp: TestSmtpServer;
let dovecot: TestDovecot;

beforeAll(async () => {
  smtp = await startSmtpServer({
    behaviour: (rcpt) =>
      rcpt.startsWith('bounce') ? { code: 550, message: '5.1.1 No such user' } : 'accept',
  });
  dovecot = await startDovecot({ 'sam@sender.test': 'imap-pw' });
  t = await makeTestApp({ config: { dispatchIntervalMs: 40 } });
});
afterAll(async () => {
  t.close();
  await smtp.close();
  await dovecot.stop();
});

async function fullCounts(campaignId: string) {
  const db = t.deps.db.client;
  const contacts = await db.execute({
    sql: 'SELECT status, count(*) AS n FROM contacts WHERE campaign_id = ? GROUP BY status',
    args: [campaignId],
  });
  const sends = await db.execute({
    sql: `SELECT step_id, variant_id, status, count(*) AS n FROM sends WHERE campaign_id = ?
          GROUP BY step_id, variant_id, status`,
    args: [campaignId],
  });
  const c: Record<string, number> = {};
  for (const r of contacts.rows) c[String(r.status)] = Number(r.n);
  const s: Record<string, number> = {};
  for (const r of sends.rows) s[`${r.step_id}/${r.variant_id ?? ''}/${r.status}`] = Number(r.n);
  return { c, s };
}

async function counters(campaignId: string) {
  const db = t.deps.db.client;
  const contacts = await db.execute({
    sql: 'SELECT status, n FROM campaign_contact_counts WHERE campaign_id = ? AND n <> 0',
    args: [campaignId],
  });
  const sends = await db.execute({
    sql: 'SELECT step_id, variant_id, status, n FROM campaign_send_counts WHERE campaign_id = ? AND n <> 0',
    args: [campaignId],
  });
  const c: Record<string, number> = {};
  for (const r of contacts.rows) c[String(r.status)] = Number(r.n);
  const s: Record<string, number> = {};
  for (const r of sends.rows) s[`${r.step_id}/${r.variant_id}/${r.status}`] = Number(r.n);
  return { c, s };
}

function csv(rows: string[]): FormData {
  const form = new FormData();
  form.set(
    'file',
    new Blob([['email,first_name,company', ...rows].join('\n')], { type: 'text/csv' }),
    'l.csv',
  );
  return form;
}

describe('stats counters', () => {
  it('agree with a full count after a mixed workload with two workers, and the repair task fixes drift', async () => {
    const { a } = t;
    const campaign = (await a.req('POST', '/campaigns', { body: { name: 'Counted' } })).body;
    for (const [order, variants] of [
      [
        1,
        [
          { subject: 'A {{firstName}}', weight: 60 },
          { subject: 'B {{firstName}}', weight: 40 },
        ],
      ],
      [2, undefined],
    ] as const) {
      const res = await a.req('POST', `/campaigns/${campaign.id}/steps`, {
        body: {
          order,
          subject: 'Hello {{firstName}}',
          bodyHtml: '<p>Hi {{firstName|there}}</p>',
          delaySeconds: 0,
          variants,
        },
      });
      expect(res.status).toBe(201);
    }
    // imports: repeats within a file and across files, invalid rows, suppressed addresses
    const first = Array.from(
      { length: 150 },
      (_, i) => `${i % 9 === 0 ? 'bounce' : 'p'}${i}@acme.test,P${i},Acme`,
    );
    const second = Array.from({ length: 80 }, (_, i) => `p${i + 120}@acme.test,Q${i},Acme`);
    await a.req('POST', '/campaigns/suppressions', {
      body: { emails: ['p3@acme.test', 'p4@acme.test'], domains: ['blocked.test'], reason: 'manual' },
    });
    for (const rows of [
      first,
      [...second, 'not-an-email,X,Y', 'p1@acme.test,dup,Acme', 'z@blocked.test,Z,B'],
    ]) {
      const res = await a.req('POST', `/campaigns/${campaign.id}/contacts/import`, { raw: csv(rows) });
      expect(res.status).toBe(200);
    }

    // a verified mailbox on the real smtp-server, attached with no gaps, and a 24/7 schedule
    const now = Date.now();
    const mailboxId = newId('mailbox', now);
    await t.deps.db.client.execute({
      sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, signature_html, daily_limit, status,
              smtp, smtp_password, imap, imap_password, last_check, created_at, updated_at)
            VALUES (?, ?, 'sam@sender.test', 'Sam', NULL, NULL, 5000, 'verified', ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        mailboxId,
        a.workspaceId,
        JSON.stringify({ host: '127.0.0.1', port: smtp.port, secure: false, username: '' }),
        t.deps.secrets.encrypt(''),
        JSON.stringify({ host: '127.0.0.1', port: dovecot.port, secure: false, username: 'sam@sender.test' }),
        t.deps.secrets.encrypt('imap-pw'),
        JSON.stringify({ smtp: { ok: true }, imap: { ok: true }, at: new Date(now).toISOString() }),
        now,
        now,
      ],
    });
    expect(
      (
        await a.req('POST', `/campaigns/${campaign.id}/mailboxes`, {
          body: {
            mailboxAddress: 'sam@sender.test',
            dailyLimit: 5000,
            weight: 1,
            gapBaseSeconds: 0,
            gapJitterSeconds: 0,
          },
        })
      ).status,
    ).toBe(201);
    await a.req('PUT', `/campaigns/${campaign.id}/schedule`, {
      body: {
        timezone: 'UTC',
        weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        windows: [{ start: '00:00', end: '24:00' }],
      },
    });

    // gradual launch, two workers on one file, changes while they send
    const launched = await a.req('POST', `/campaigns/${campaign.id}/launch`, { query: { limit: 90 } });
    expect(launched.status, JSON.stringify(launched.body)).toBe(200);
    const other = { ...t.deps, db: openDb(t.deps.config.databaseUrl) };
    const workers: RunningWorker[] = [
      startWorker(t.deps, { only: ['dispatch'] }),
      startWorker(other, { only: ['dispatch'] }),
    ];
    try {
      await new Promise((r) => setTimeout(r, 400));
      expect(
        (await a.req('POST', `/campaigns/${campaign.id}/launch`, { query: { limit: 170 } })).status,
      ).toBe(200);
      await a.req('POST', '/campaigns/suppressions', {
        body: { emails: ['p150@acme.test', 'p7@acme.test'], reason: 'manual' },
      });
      const list = (await a.req('GET', `/campaigns/${campaign.id}/contacts`, { query: { limit: 200 } })).body
        .items;
      for (const c of list.slice(0, 6)) await a.req('DELETE', `/campaigns/${campaign.id}/contacts/${c.id}`);
      for (const c of list.slice(10, 16)) {
        await changeContactStatus(t.deps, {
          workspaceId: a.workspaceId,
          contactIds: [c.id],
          to: 'replied',
          reason: 'reply',
        });
      }
      for (const c of list.slice(20, 23)) {
        await a.req('PATCH', `/campaigns/${campaign.id}/contacts/${c.id}`, { body: { status: 'completed' } });
      }
      // until the workers have nothing left to send
      for (let i = 0; i < 150; i++) {
        const busy = await t.deps.db.client.execute({
          sql: "SELECT count(*) AS n FROM contacts WHERE campaign_id = ? AND status = 'active'",
          args: [campaign.id],
        });
        if (Number(busy.rows[0]!.n) === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      other.db.close();
    }

    const full = await fullCounts(campaign.id);
    expect(Object.keys(full.c).length).toBeGreaterThanOrEqual(5); // the workload reached many statuses
    expect(Object.values(full.s).reduce((x, y) => x + y, 0)).toBeGreaterThan(100);
    const kept = await counters(campaign.id);
    expect(kept).toEqual(full);

    const stats = (await a.req('GET', `/campaigns/${campaign.id}/stats`)).body;
    expect(stats.contacts.total).toBe(Object.values(full.c).reduce((x, y) => x + y, 0));
    for (const [status, n] of Object.entries(full.c)) expect(stats.contacts[status]).toBe(n);

    // drift put in by hand: the repair task finds it from a full count and corrects it
    await t.deps.db.client.batch(
      [
        {
          sql: "UPDATE campaign_contact_counts SET n = n + 7 WHERE campaign_id = ? AND status = 'completed'",
          args: [campaign.id],
        },
        {
          sql: 'DELETE FROM campaign_send_counts WHERE campaign_id = ? AND status = ?',
          args: [campaign.id, 'sent'],
        },
      ],
      'write',
    );
    expect(await counters(campaign.id)).not.toEqual(full);
    const repaired = await repairCampaignCounters(t.deps.db, campaign.id);
    expect(repaired.corrected).toBeGreaterThan(1);
    expect(await counters(campaign.id)).toEqual(full);
    expect((await repairCampaignCounters(t.deps.db, campaign.id)).corrected).toBe(0);
  });
});
