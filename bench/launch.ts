/**
 * Launch benchmark (prints figures; not a timed assertion in CI).
 *
 * 1. `enrolAndActivate` on a campaign of N pending contacts (default 100,000): the set-based
 *    enrolment (one `INSERT … SELECT` of status events + one `UPDATE … WHERE id IN (SELECT …)`).
 * 2. A gradual rollout on another N: `limit` N/2, then N (two launches).
 * 3. The whole `POST /campaigns/{id}/launch` through the API on a third N, preflight included
 *    (real logins to a local smtp-server and a private dovecot when it is installed).
 *
 * Run: `npx tsx bench/launch.ts` (BENCH_CONTACTS=… to change N).
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '@outreach/server/app';
import {
  createCampaign,
  type Deps,
  enrolAndActivate,
  newId,
  schema,
  updateCampaign,
  upsertContacts,
} from '@outreach/shared';
import { dovecotInstalled, startDovecot, startSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace } from '@outreach/testkit/deps';

const N = Number(process.env.BENCH_CONTACTS ?? 100_000);
const SCHEDULE = {
  timezone: 'America/New_York',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
  windows: [{ start: '09:00', end: '17:00' }],
};

async function campaignWith(deps: Deps, workspaceId: number, n: number, tag: string): Promise<string> {
  const now = deps.clock.now();
  const c = await createCampaign(deps.db, workspaceId, { name: `bench ${tag}` }, now);
  await deps.db.orm.insert(schema.steps).values({
    id: newId('step', now),
    campaignId: c.id,
    subsequenceId: null,
    order: 1,
    subject: 'Quick question about {{company}}',
    bodyHtml: '<p>Hi {{firstName}}</p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p>',
    bodyText: null,
    delaySeconds: 0,
    variants: [],
    createdAt: now,
    updatedAt: now,
  });
  await updateCampaign(deps.db, workspaceId, c.id, { schedule: SCHEDULE }, now);
  for (let i = 0; i < n; i += 10_000) {
    const rows = Array.from({ length: Math.min(10_000, n - i) }, (_, k) => ({
      email: `${tag}${i + k}@example${(i + k) % 1000}.com`,
      firstName: `First${i + k}`,
      lastName: 'Last',
      custom: { company: `Company ${(i + k) % 5000}`, title: 'VP' },
    }));
    await upsertContacts(deps.db, { workspaceId, campaignId: c.id }, rows, now);
  }
  return c.id;
}

async function count(deps: Deps, campaignId: string, status: string): Promise<number> {
  const r = await deps.db.client.execute({
    sql: 'SELECT count(*) AS n FROM contacts WHERE campaign_id = ? AND status = ?',
    args: [campaignId, status],
  });
  return Number(r.rows[0]!.n);
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} contacts/s`;

async function main() {
  const deps = await createTestDeps();
  try {
    const ws = await createTestWorkspace(deps, 'bench');
    console.log(
      `launch benchmark: ${N.toLocaleString('en-US')} contacts per campaign, libSQL file ${deps.config.databaseUrl}`,
    );

    // 1. enrolment alone
    const a = await campaignWith(deps, ws.workspaceId, N, 'a');
    let t0 = performance.now();
    const out = await enrolAndActivate(deps.db, ws.workspaceId, a, {}, deps.clock.now());
    let ms = performance.now() - t0;
    console.log(
      `1. enrol all: ${out.enrolled.toLocaleString('en-US')} enrolled in ${fmt(ms)} (${rate(out.enrolled, ms)}); active=${await count(deps, a, 'active')}`,
    );

    // 2. gradual rollout
    const b = await campaignWith(deps, ws.workspaceId, N, 'b');
    t0 = performance.now();
    const half = await enrolAndActivate(
      deps.db,
      ws.workspaceId,
      b,
      { limit: Math.floor(N / 2) },
      deps.clock.now(),
    );
    const ms1 = performance.now() - t0;
    t0 = performance.now();
    const rest = await enrolAndActivate(deps.db, ws.workspaceId, b, { limit: N }, deps.clock.now());
    const ms2 = performance.now() - t0;
    console.log(
      `2. limit ${Math.floor(N / 2)}: ${half.enrolled} in ${fmt(ms1)}; limit ${N}: ${rest.enrolled} more in ${fmt(ms2)}`,
    );

    // 3. through the API, preflight with real logins
    const smtp = await startSmtpServer({ users: { 'bench@example.com': 'smtp-pass' } });
    const dovecot = dovecotInstalled() ? await startDovecot({ 'bench@example.com': 'imap-pass' }) : null;
    try {
      const app = createApp(deps);
      const auth = { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' };
      const mbx = await app.request('/mailboxes', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          address: 'bench@example.com',
          firstName: 'Bench',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            secure: false,
            username: 'bench@example.com',
            password: 'smtp-pass',
          },
          imap: {
            host: '127.0.0.1',
            port: dovecot?.port ?? 1,
            secure: false,
            username: 'bench@example.com',
            password: 'imap-pass',
          },
        }),
      });
      if (mbx.status !== 201) throw new Error(`mailbox: ${await mbx.text()}`);
      const c = await campaignWith(deps, ws.workspaceId, N, 'c');
      await app.request(`/campaigns/${c}/mailboxes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ mailboxAddress: 'bench@example.com', dailyLimit: 100, weight: 1 }),
      });
      t0 = performance.now();
      const res = await app.request(`/campaigns/${c}/launch`, { method: 'POST', headers: auth });
      ms = performance.now() - t0;
      const body = (await res.json()) as { enrolled?: number; code?: string; detail?: string };
      if (res.status !== 200) {
        console.log(
          `3. POST /launch: ${res.status} ${body.code}: ${body.detail} (dovecot ${dovecot ? 'running' : 'not installed'})`,
        );
      } else {
        console.log(
          `3. POST /launch (preflight with live SMTP+IMAP logins + enrolment): ${body.enrolled} enrolled in ${fmt(ms)}`,
        );
      }
    } finally {
      await smtp.close();
      await dovecot?.stop();
    }
  } finally {
    deps.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
