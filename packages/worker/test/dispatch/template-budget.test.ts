/**
 * A template over the render budget at send time: stored straight in the database (bypassing the
 * API's checks) or blown up by one contact's data, it fails that send for good with
 * `template_too_complex`, quickly, and the loop goes on sending the others.
 */
import { type Schedule, seededRng, VirtualClock } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/execute';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox, sinkPool } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-09-01T08:00:00Z');
const nested = (depth: number, inner = 'x') => `${'{{#a}}'.repeat(depth)}${inner}${'{{/a}}'.repeat(depth)}`;

describe('dispatch: templates over the budget', () => {
  let deps: TestDeps;
  let clock: VirtualClock;
  let sink: ReturnType<typeof sinkPool>;
  let workspaceId: number;

  beforeEach(async () => {
    clock = new VirtualClock(START);
    sink = sinkPool(clock);
    deps = await createTestDeps({ clock, rng: seededRng(9) });
    ({ workspaceId } = await createTestWorkspace(deps));
  });
  afterEach(() => deps.cleanup());

  async function campaignWith(bodyHtml: string, contacts: number, address: string) {
    const c = await seedCampaign(deps, {
      workspaceId,
      schedule: ALWAYS,
      now: START,
      steps: [{ subject: 'hello', bodyHtml, delaySeconds: 0 }],
    });
    const mailboxId = await seedMailbox(deps, { workspaceId, address, dailyLimit: 100, now: START });
    await attachMailbox(deps, {
      campaignId: c.id,
      mailboxId,
      weight: 1,
      dailyLimit: 100,
      gapBase: 0,
      gapJitter: 0,
      now: START,
    });
    const ids = await seedContacts(deps, {
      workspaceId,
      campaignId: c.id,
      count: contacts,
      enrolledAt: START,
      firstDelaySeconds: 0,
      prefix: address.split('@')[0],
    });
    return { c, ids };
  }

  const tickTimed = async () => {
    const started = performance.now();
    await runDispatchTick(deps, { transports: sink });
    const ms = performance.now() - started;
    clock.advance(1000);
    return ms;
  };

  const sendsOf = (campaignId: string) =>
    rows<{ contact_id: string; status: string; error: string | null }>(
      deps,
      'SELECT contact_id, status, error FROM sends WHERE campaign_id = ? ORDER BY contact_id',
      [campaignId],
    );

  it('a stored template nested too deep fails its send with template_too_complex; other campaigns send', async () => {
    const bad = await campaignWith(nested(12), 1, 'bad@x.test');
    const good = await campaignWith('<p>Hi {{firstName}}</p>', 2, 'good@x.test');
    let slowest = 0;
    for (let i = 0; i < 4; i++) slowest = Math.max(slowest, await tickTimed());

    const [failed] = await sendsOf(bad.c.id);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed!.error).toMatch(/template_too_complex/);
    const goodSends = await sendsOf(good.c.id);
    expect(goodSends.map((s) => s.status)).toEqual(['sent', 'sent']);
    expect(sink.messages.map((m) => m.mailboxAddress)).toEqual(['good@x.test', 'good@x.test']);
    // Failed for good: later ticks do not retry it.
    for (let i = 0; i < 3; i++) await tickTimed();
    expect(await sendsOf(bad.c.id)).toHaveLength(1);
    expect((await sendsOf(bad.c.id))[0]!.status).toBe('failed');
    expect(slowest).toBeLessThan(2000);
  });

  it('one contact whose data blows a saved template up fails; the next contact of the same step is sent', async () => {
    // Three levels are allowed when saving; over a 100-item list they would render 10^6 times.
    const { c, ids } = await campaignWith(nested(3, '{{.}}'), 2, 'mix@x.test');
    await deps.db.client.execute({
      sql: 'UPDATE contacts SET custom_json = ? WHERE id = ?',
      args: [JSON.stringify({ a: Array.from({ length: 100 }, (_, i) => i) }), ids[0]!],
    });
    await deps.db.client.execute({
      sql: 'UPDATE contacts SET custom_json = ? WHERE id = ?',
      args: [JSON.stringify({ a: ['y'] }), ids[1]!],
    });
    let slowest = 0;
    for (let i = 0; i < 4; i++) slowest = Math.max(slowest, await tickTimed());
    const sends = await sendsOf(c.id);
    const byContact = new Map(sends.map((s) => [s.contact_id, s]));
    expect(byContact.get(ids[0]!)).toMatchObject({ status: 'failed' });
    expect(byContact.get(ids[0]!)!.error).toMatch(/template_too_complex: bodyHtml/);
    expect(byContact.get(ids[1]!)).toMatchObject({ status: 'sent' });
    expect(sink.messages.map((m) => m.mail.html)).toEqual(['y']);
    const events = await rows<{ type: string }>(
      deps,
      "SELECT type FROM events WHERE type = 'send.failed' AND campaign_id = ?",
      [c.id],
    );
    expect(events).toHaveLength(1);
    console.log(`dispatch with an over-budget template: slowest tick ${slowest.toFixed(1)} ms`);
    expect(slowest).toBeLessThan(2000);
  });
});
