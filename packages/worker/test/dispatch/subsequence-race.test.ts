/**
 * A contact routed into a subsequence while its last main step is in flight (handed to SMTP,
 * answer not yet recorded): the main step is recorded `sent`, but it neither completes the
 * contact nor moves its progress in the subsequence; the subsequence's step follows. The same
 * for a bounced one under `stopOnBounce: false`, and for the planner's completion of a contact
 * with no step left.
 */
import {
  createStep,
  createSubsequence,
  enrollContacts,
  type Schedule,
  seededRng,
  VirtualClock,
} from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MailTransport, OutgoingMail } from '../../src/adapters/smtp';
import { completeContact } from '../../src/dispatch/record';
import { runDispatchTick } from '../../src/dispatch/tick';
import type { TransportPool } from '../../src/dispatch/types';
import { attachMailbox, rows, seedCampaign, seedContacts, seedMailbox } from './support';

const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
const START = Date.parse('2026-05-04T10:00:00Z');
const clock = new VirtualClock(START);
let deps: TestDeps;

beforeAll(async () => {
  deps = await createTestDeps({ clock, rng: seededRng(5) });
});
afterAll(() => deps?.cleanup());

/** A campaign of one main step, a manual subsequence of one step, one contact due now. */
async function setup(opts: { stopOnBounce?: boolean } = {}) {
  const { workspaceId } = await createTestWorkspace(deps);
  const campaign = await seedCampaign(deps, {
    workspaceId,
    schedule: ALWAYS,
    now: START,
    steps: [{ subject: 'Only step', bodyHtml: '<p>one</p>', delaySeconds: 0 }],
  });
  if (opts.stopOnBounce === false) {
    await deps.db.client.execute({
      sql: "UPDATE campaigns SET stop_rules = json_set(stop_rules, '$.stopOnBounce', json('false')) WHERE id = ?",
      args: [campaign.id],
    });
  }
  const mailboxId = await seedMailbox(deps, {
    workspaceId,
    address: 'sam@acme.test',
    dailyLimit: 50,
    now: START,
  });
  await attachMailbox(deps, {
    campaignId: campaign.id,
    mailboxId,
    weight: 1,
    dailyLimit: 50,
    gapBase: 0,
    gapJitter: 0,
    now: START,
  });
  const sub = await createSubsequence(
    deps.db,
    workspaceId,
    campaign.id,
    { name: 'Routed', enrollmentMode: 'manual' },
    START,
  );
  await createStep(
    deps.db,
    workspaceId,
    campaign.id,
    { order: 1, bodyHtml: '<p>sub</p>', delaySeconds: 60 },
    START,
    {
      subsequenceId: sub.id,
    },
  );
  const [contact] = await seedContacts(deps, {
    workspaceId,
    campaignId: campaign.id,
    count: 1,
    enrolledAt: START,
    firstDelaySeconds: 0,
  });

  return { workspaceId, campaign, sub, contact: contact! };
}

/** The contact is active in the subsequence, at its start, and was never completed. */
async function expectInSubsequenceFromItsStart(contact: string, subsequenceId: string) {
  const [after] = await rows<{ status: string; subsequence_id: string; current_step: number }>(
    deps,
    'SELECT status, subsequence_id, current_step FROM contacts WHERE id = ?',
    [contact],
  );
  expect(after).toEqual({ status: 'active', subsequence_id: subsequenceId, current_step: 0 });
  const completed = await rows(
    deps,
    "SELECT 1 FROM events WHERE type = 'contact.completed' AND contact_id = ?",
    [contact],
  );
  expect(completed).toHaveLength(0);
}

it('a routing during the SMTP exchange of the last main step wins over its completion', async () => {
  const { workspaceId, campaign, sub, contact } = await setup();
  const got: OutgoingMail[] = [];
  let routeDuringSend = true;
  const transport: MailTransport = {
    async send(mail) {
      // the prospect's reply routes them while this message is with the SMTP server
      if (routeDuringSend) {
        routeDuringSend = false;
        const r = await enrollContacts(deps.db, workspaceId, campaign.id, sub.id, [contact], clock.now());
        expect(r.enrolled).toBe(1);
      }
      got.push(mail);
      return { ok: true, response: '250 OK' };
    },
    close() {},
  };
  const transports: TransportPool = { get: () => transport, closeAll() {} };

  await runDispatchTick(deps, { transports });
  expect(got.map((m) => m.subject)).toEqual(['Only step']);
  await expectInSubsequenceFromItsStart(contact, sub.id);
  const [main] = await rows<{ status: string }>(deps, 'SELECT status FROM sends WHERE step_id = ?', [
    campaign.stepIds[0]!,
  ]);
  expect(main!.status).toBe('sent');

  clock.advance(120_000);
  await runDispatchTick(deps, { transports });
  expect(got.map((m) => m.subject)).toEqual(['Only step', 'Re: Only step']);
  expect(got[1]!.inReplyTo).toBe(got[0]!.messageId);
  clock.advance(60_000);
  await runDispatchTick(deps, { transports });
  const [done] = await rows<{ status: string; completed_at: number | null }>(
    deps,
    `SELECT c.status, e.completed_at FROM contacts c JOIN subsequence_enrollments e ON e.contact_id = c.id WHERE c.id = ?`,
    [contact],
  );
  expect(done!.status).toBe('completed');
  expect(done!.completed_at).not.toBeNull();
});

it('a routing during a bounced last main step (stopOnBounce: false) wins over its completion too', async () => {
  const { workspaceId, campaign, sub, contact } = await setup({ stopOnBounce: false });
  const got: OutgoingMail[] = [];
  let bounce = true;
  const transport: MailTransport = {
    async send(mail) {
      if (bounce) {
        bounce = false;
        const r = await enrollContacts(deps.db, workspaceId, campaign.id, sub.id, [contact], clock.now());
        expect(r.enrolled).toBe(1);
        return { ok: false, permanent: true, code: 550, error: '550 5.1.1 No such user' };
      }
      got.push(mail);
      return { ok: true, response: '250 OK' };
    },
    close() {},
  };
  const transports: TransportPool = { get: () => transport, closeAll() {} };

  await runDispatchTick(deps, { transports });
  const [main] = await rows<{ status: string }>(deps, 'SELECT status FROM sends WHERE step_id = ?', [
    campaign.stepIds[0]!,
  ]);
  expect(main!.status).toBe('bounced');
  await expectInSubsequenceFromItsStart(contact, sub.id);
  // the subsequence's step follows (no `Re:`: the bounced message never reached them)
  clock.advance(120_000);
  await runDispatchTick(deps, { transports });
  expect(got.map((m) => m.subject)).toEqual(['Only step']);
});

it("the planner's completion of a contact with no step left spares one routed since it was loaded", async () => {
  const { workspaceId, campaign, sub, contact } = await setup();
  await enrollContacts(deps.db, workspaceId, campaign.id, sub.id, [contact], clock.now());
  const who = { workspaceId, campaignId: campaign.id, contactId: contact };
  // loaded before the routing: in the main sequence, where no step is left
  await completeContact(deps, { ...who, subsequenceId: null }, clock.now());
  const [spared] = await rows<{ status: string }>(deps, 'SELECT status FROM contacts WHERE id = ?', [
    contact,
  ]);
  expect(spared!.status).toBe('active');
  // loaded in the subsequence, with none of its steps left: completed
  await completeContact(deps, { ...who, subsequenceId: sub.id }, clock.now());
  const [done] = await rows<{ status: string }>(deps, 'SELECT status FROM contacts WHERE id = ?', [contact]);
  expect(done!.status).toBe('completed');
});
