/**
 * An out-of-office reply with a return date holds the contact's next step until the start of
 * the day after, in the campaign's timezone: the real dispatch loop on a virtual clock, the
 * real inbox loop reading the reply from dovecot.
 */
import { localParts, seededRng, VirtualClock } from '@outreach/shared';
import { startDovecot, type TestDovecot } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDispatchTick } from '../../src/dispatch/tick';
import { attachMailbox, seedCampaign, seedContacts, sinkPool } from '../dispatch/support';
import { PASSWORD, pollNow, rawMail, rows, seedMailbox } from './support';

const BOX = 'ooo@acme.test';
const DAY = 86_400_000;
const TZ = 'Europe/Berlin';
// virtual time starts a minute in the past: the reply APPENDed now is newer than the registration
const START = Date.now() - 60_000;
const clock = new VirtualClock(START);
let dovecot: TestDovecot;
let deps: TestDeps;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: PASSWORD });
  deps = await createTestDeps({ clock, rng: seededRng(7) });
}, 60_000);

afterAll(async () => {
  await dovecot?.stop();
  deps?.cleanup();
});

it('the next step waits for the hold; the other contact follows its own delays', async () => {
  const { workspaceId } = await createTestWorkspace(deps);
  const mailboxId = await seedMailbox(deps, dovecot, { workspaceId, address: BOX, createdAt: START - 1000 });
  const campaign = await seedCampaign(deps, {
    workspaceId,
    schedule: {
      timezone: TZ,
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      windows: [{ start: '00:00', end: '24:00' }],
    },
    now: START,
    steps: [
      { subject: 'Step 1', bodyHtml: '<p>one</p>', delaySeconds: 0 },
      { subject: 'Step 2', bodyHtml: '<p>two</p>', delaySeconds: 86_400 },
    ],
  });
  await attachMailbox(deps, {
    campaignId: campaign.id,
    mailboxId,
    weight: 1,
    dailyLimit: 100,
    gapBase: 0,
    gapJitter: 0,
    now: START,
  });
  const [away, control] = await seedContacts(deps, {
    workspaceId,
    campaignId: campaign.id,
    count: 2,
    enrolledAt: START,
    firstDelaySeconds: 0,
  });
  const sink = sinkPool(clock);
  const tick = () => runDispatchTick(deps, { transports: sink, awaitDelivery: true });
  await tick();
  expect(sink.messages).toHaveLength(2);
  const emailOf = async (id: string) =>
    (await rows<{ email: string }>(deps, 'SELECT email FROM contacts WHERE id = ?', [id]))[0]!.email;
  const awayEmail = await emailOf(away!);
  const first = sink.messages.find((m) => m.mail.to === awayEmail)!;

  // back on the 5th day after the start (a date in the mail, as people write it)
  const back = localParts(TZ, START + 5 * DAY);
  const date = `${back.year}-${String(back.month).padStart(2, '0')}-${String(back.day).padStart(2, '0')}`;
  await dovecot.append(
    BOX,
    rawMail({
      from: awayEmail,
      to: BOX,
      subject: 'Out of office: Step 1',
      text: `I am out of the office until ${date}. I will answer when I am back.`,
      headers: { 'Auto-Submitted': 'auto-replied' },
      inReplyTo: first.mail.messageId,
    }),
  );
  await pollNow(deps);
  const held = (
    await rows<{ hold_until: number; next_send_at: number; status: string }>(
      deps,
      'SELECT hold_until, next_send_at, status FROM contacts WHERE id = ?',
      [away!],
    )
  )[0]!;
  expect(held.status).toBe('active');
  const local = localParts(TZ, held.hold_until);
  expect([local.hour, local.minute]).toEqual([0, 0]);
  expect(held.hold_until).toBeGreaterThan(START + 5 * DAY - DAY);
  expect(held.next_send_at).toBe(held.hold_until);

  // eight virtual days in 30-minute ticks
  while (clock.now() < START + 8 * DAY) {
    clock.advance(30 * 60_000);
    await tick();
  }
  const second = (to: string) => sink.messages.filter((m) => m.mail.to === to && m.mail.subject === 'Step 2');
  const controlTwo = second(await emailOf(control!));
  expect(controlTwo).toHaveLength(1);
  expect(controlTwo[0]!.at).toBeLessThan(START + 2 * DAY);
  const awayTwo = second(awayEmail);
  expect(awayTwo).toHaveLength(1);
  expect(awayTwo[0]!.at).toBeGreaterThanOrEqual(held.hold_until);
  expect(awayTwo[0]!.at).toBeLessThan(held.hold_until + 31 * 60_000);
});
