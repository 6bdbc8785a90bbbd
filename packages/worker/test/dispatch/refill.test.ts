/**
 * The dispatch loop as `outreach work` runs it (startWorker, real SMTP): a mailbox sending
 * without gaps takes its next batch while the current one is still going out, when its queue
 * drops below half a batch, instead of waiting for the loop's interval (60 s here).
 */
import type { Schedule } from '@outreach/shared';
import { startSmtpServer, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/dispatch/types';
import { type RunningWorker, startWorker } from '../../src/index';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
// more than two batches, so that the loop's one run by its interval cannot send them all
const CONTACTS = DEFAULTS.maxBatch * 2 + DEFAULTS.maxBatch / 2;

describe('a mailbox without gaps is refilled before its queue runs dry', () => {
  let deps: TestDeps;
  let smtp: TestSmtpServer;
  let worker: RunningWorker | null = null;
  let campaignId: string;

  beforeEach(async () => {
    // a slow server (each DATA answered after 5 ms): the queue is still sending when it runs low
    smtp = await startSmtpServer({ dataDelayMs: 5 });
    deps = await createTestDeps({ config: { dispatchIntervalMs: 60_000, mailboxAllowPrivate: true } });
    const now = deps.clock.now();
    const { workspaceId } = await createTestWorkspace(deps);
    campaignId = (
      await seedCampaign(deps, {
        workspaceId,
        schedule: ALWAYS,
        now,
        steps: [{ subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>', delaySeconds: 0 }],
      })
    ).id;
    const mailboxId = await seedMailbox(deps, {
      workspaceId,
      address: 'ana@acme.test',
      dailyLimit: 10_000,
      smtp: { host: smtp.host, port: smtp.port },
      now,
    });
    await attachMailbox(deps, {
      campaignId,
      mailboxId,
      weight: 1,
      dailyLimit: 10_000,
      gapBase: 0,
      gapJitter: 0,
      now,
    });
    await seedContacts(deps, {
      workspaceId,
      campaignId,
      count: CONTACTS,
      enrolledAt: now - 1000,
      firstDelaySeconds: 0,
    });
  });

  afterEach(async () => {
    await worker?.stop();
    worker = null;
    await smtp.close();
    deps.cleanup();
  });

  it('sends every batch within seconds though the loop runs every minute, each contact once', async () => {
    const t0 = Date.now();
    worker = startWorker(deps, { only: ['dispatch'] });
    await smtp.waitFor(CONTACTS, 20_000);
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(20);
    await worker.stop();
    worker = null;
    const to = smtp.messages.map((m) => m.envelope.to[0]);
    expect(new Set(to).size).toBe(CONTACTS);
    expect(to).toHaveLength(CONTACTS);
    const byStatus = await rows<{ status: string; n: number }>(
      deps,
      'SELECT status, count(*) AS n FROM sends WHERE campaign_id = ? GROUP BY status',
      [campaignId],
    );
    expect(byStatus.map((r) => [r.status, Number(r.n)])).toEqual([['sent', CONTACTS]]);
  }, 40_000);
});
