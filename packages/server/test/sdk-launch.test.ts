/**
 * The SDK's mailbox, campaign-mailbox, schedule, preflight, launch and lifecycle methods against
 * the real server over HTTP (in-process, on 127.0.0.1), with a real smtp-server, a private
 * dovecot and the worker's launch loop running.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ConflictError, Outreach } from '@outreach/sdk';
import { upsertContacts } from '@outreach/shared';
import { type RunningWorker, startWorker } from '@outreach/worker';
import '@outreach/worker/loops/launches';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, insertSteps, type Peers, READY_STEP, startPeers } from './peers';
import { makeTestApp, type TestApp } from './support';

let t: TestApp;
let peers: Peers;
let server: ReturnType<typeof serve>;
let worker: RunningWorker;
let client: Outreach;

beforeAll(async () => {
  [t, peers] = await Promise.all([makeTestApp({ config: { dispatchIntervalMs: 50 } }), startPeers()]);
  server = await new Promise((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  client = new Outreach({
    apiKey: t.a.apiKey,
    baseUrl: `http://127.0.0.1:${port}`,
    workspaceId: t.a.workspaceId,
    maxRetries: 0,
  });
  worker = startWorker(t.deps, { only: ['launches'] });
});
afterAll(async () => {
  await worker.stop();
  await new Promise((r) => server.close(r));
  t.close();
  await peers.close();
});

describe('SDK: mailboxes → schedule → preflight → launch → pause/resume', () => {
  it('drives the whole flow', async () => {
    const mailbox = await client.mailboxes.create(
      peers.mailboxBody() as Parameters<typeof client.mailboxes.create>[0],
    );
    expect(mailbox).toMatchObject({ address: ADDRESS, status: 'unverified' });
    expect(JSON.stringify(mailbox)).not.toContain('Secret');
    const verified = await client.mailboxes.verify(mailbox.id);
    expect(verified.status).toBe('verified');
    expect((await client.mailboxes.get(mailbox.id)).lastCheck.smtp).toEqual({ ok: true });
    const all = [];
    for await (const m of client.mailboxes.list({ limit: 1 })) all.push(m.id);
    expect(all).toEqual([mailbox.id]);
    expect((await client.mailboxes.update(mailbox.id, { dailyLimit: 75 })).dailyLimit).toBe(75);

    const campaign = await client.campaigns.create({ name: 'Q1 SaaS Outreach', priority: 'HIGH' });
    await insertSteps(t, campaign.id, [{ ...READY_STEP, delaySeconds: 0 }]);
    await upsertContacts(
      t.deps.db,
      { workspaceId: t.a.workspaceId, campaignId: campaign.id },
      Array.from({ length: 5 }, (_, i) => ({
        email: `p${i}@acme.com`,
        firstName: `P${i}`,
        lastName: null,
        custom: { company: 'Acme' },
      })),
      Date.now(),
    );

    // Not ready yet: launch rejects with the checks.
    const refused = await client.campaigns.launch(campaign.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).code).toBe('preflight_failed');
    expect(
      (refused as ConflictError & { body: { blockingFailures: string[] } }).body.blockingFailures,
    ).toEqual(['has_mailboxes', 'mailbox_auth', 'schedule_set']);

    const cmb = await client.campaigns.mailboxes.create(campaign.id, {
      mailboxAddress: ADDRESS,
      dailyLimit: 30,
      weight: 100,
    });
    expect(cmb).toMatchObject({ state: 'active', gapBaseSeconds: 120, gapJitterSeconds: 60 });
    expect((await client.campaigns.mailboxes.update(campaign.id, cmb.id, { weight: 150 })).weight).toBe(150);
    expect((await client.campaigns.mailboxes.list(campaign.id)).items.map((m) => m.id)).toEqual([cmb.id]);
    const schedule = await client.campaigns.setSchedule(campaign.id, {
      timezone: 'America/New_York',
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      windows: [
        { start: '09:00', end: '12:00' },
        { start: '14:00', end: '17:00' },
      ],
    });
    expect(schedule).toMatchObject({ timezone: 'America/New_York' });
    expect(
      await client.campaigns.setStopRules(campaign.id, {
        stopOnReply: true,
        stopOnUnsub: true,
        stopOnBounce: true,
      }),
    ).toMatchObject({
      stopOnReply: true,
    });

    const preflight = await client.campaigns.preflight(campaign.id);
    expect(preflight.blockingFailures).toEqual([]);
    expect(preflight.summary).toBe('All checks passed. Ready to launch.');
    const perMailbox = await client.campaigns.mailboxes.preflight(campaign.id);
    expect(perMailbox).toEqual([
      expect.objectContaining({
        campaignMailboxId: cmb.id,
        smtp: { ok: true },
        imap: { ok: true },
        sentToday: 0,
      }),
    ]);

    expect(await client.campaigns.launch(campaign.id, { limit: 2 })).toEqual({
      ok: true,
      status: 'launched',
      campaignId: campaign.id,
      enrolled: 2,
    });
    const queued = await client.campaigns.launch(campaign.id, { limit: 4, async: true });
    expect(queued).toMatchObject({ ok: true, status: 'queued', campaignId: campaign.id });
    const job = await client.launchJobs.waitUntilDone(campaign.id, queued.jobId, {
      pollIntervalMs: 50,
      waitTimeoutMs: 10_000,
    });
    expect(job).toMatchObject({ status: 'succeeded', enrolled: 2, limit: 4 });

    expect((await client.campaigns.pause(campaign.id)).status).toBe('paused');
    const again = await client.campaigns.launch(campaign.id).catch((e: unknown) => e);
    expect((again as ConflictError).code).toBe('invalid_transition');
    expect((await client.campaigns.resume(campaign.id)).status).toBe('active');
    expect(await client.campaigns.launch(campaign.id)).toMatchObject({ enrolled: 1 });

    await client.campaigns.mailboxes.update(campaign.id, cmb.id, { state: 'paused' });
    await client.campaigns.mailboxes.delete(campaign.id, cmb.id);
    await client.mailboxes.delete(mailbox.id);
    expect((await client.mailboxes.list()).items).toEqual([]);
  });
});
