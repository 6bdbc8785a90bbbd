/**
 * Reply-intent routing into subsequences, end to end: the real dispatch loop sends through a real
 * smtp-server, the real inbox loop reads the prospect's replies APPENDed to a real dovecot, on a
 * virtual clock. An interested reply moves the contact out of the main sequence into the
 * subsequence, whose step goes out from the same mailbox in the same thread; a reply inside it
 * stops it; a later reply with another intent routes to the other subsequence, never twice.
 */
import {
  createStep,
  createSubsequence,
  type Schedule,
  seededRng,
  setRoutingPolicy,
  VirtualClock,
} from '@outreach/shared';
import { startDovecot, startSmtpServer, type TestDovecot, type TestSmtpServer } from '@outreach/testkit';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatch/tick';
import { attachMailbox, seedCampaign, seedContacts } from '../dispatch/support';
import { PASSWORD, pollNow, rawMail, rows } from './support';

const BOX = 'sam@acme.test';
const HOUR = 3_600_000;
const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};
// virtual time starts a minute in the past: the replies APPENDed now are newer than the registration
const START = Date.now() - 60_000;
const clock = new VirtualClock(START);
let dovecot: TestDovecot;
let smtp: TestSmtpServer;
let deps: TestDeps;
let dispatcher: Dispatcher;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: PASSWORD });
  smtp = await startSmtpServer({ users: { [BOX]: 'smtp-pass' } });
  deps = await createTestDeps({ clock, rng: seededRng(11) });
  dispatcher = new Dispatcher(deps, { awaitDelivery: true });
}, 60_000);

afterAll(async () => {
  await dispatcher?.close();
  await dovecot?.stop();
  await smtp?.close();
  deps?.cleanup();
});

/** Ticks the dispatch loop every 30 virtual minutes for `hours`. */
async function run(hours: number): Promise<void> {
  const end = clock.now() + hours * HOUR;
  while (clock.now() < end) {
    clock.advance(30 * 60_000);
    await dispatcher.tick();
  }
}

const to = (email: string) => smtp.messages.filter((m) => m.envelope.to[0] === email);
const ids = (v: string | undefined) => (v ?? '').split(/\s+/).filter(Boolean);

it('an interested reply routes into the subsequence; replies stop it and route once per subsequence', async () => {
  const { workspaceId } = await createTestWorkspace(deps);
  const mailboxId = 'mbx_subseq_e2e';
  await deps.db.client.execute({
    sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, signature_html, daily_limit, status, smtp,
            smtp_password, imap, imap_password, last_check, created_at, updated_at)
          VALUES (?, ?, ?, 'Sam', 'Sender', NULL, 50, 'verified', ?, ?, ?, ?, '{}', ?, ?)`,
    args: [
      mailboxId,
      workspaceId,
      BOX,
      JSON.stringify({ host: smtp.host, port: smtp.port, secure: false, username: BOX }),
      deps.secrets.encrypt('smtp-pass'),
      JSON.stringify({ host: '127.0.0.1', port: dovecot.port, secure: false, username: BOX }),
      deps.secrets.encrypt(PASSWORD),
      START - 1000,
      START - 1000,
    ],
  });
  const campaign = await seedCampaign(deps, {
    workspaceId,
    schedule: ALWAYS,
    now: START,
    steps: [
      { subject: 'Quick question about {{company}}', bodyHtml: '<p>Hi {{firstName}}</p>', delaySeconds: 0 },
      { subject: 'Following up', bodyHtml: '<p>Any thoughts?</p>', delaySeconds: 2 * 86_400 },
    ],
  });
  await attachMailbox(deps, {
    campaignId: campaign.id,
    mailboxId,
    weight: 1,
    dailyLimit: 100,
    gapBase: 60,
    gapJitter: 30,
    now: START,
  });
  const interested = await createSubsequence(
    deps.db,
    workspaceId,
    campaign.id,
    { name: 'Interested', enrollmentMode: 'auto' },
    START,
  );
  const notNow = await createSubsequence(
    deps.db,
    workspaceId,
    campaign.id,
    { name: 'Not now', enrollmentMode: 'auto' },
    START,
  );
  const scope = (s: { id: string }) => ({ subsequenceId: s.id });
  await createStep(
    deps.db,
    workspaceId,
    campaign.id,
    { order: 1, bodyHtml: '<p>Here is our pricing, {{firstName}}.</p>', delaySeconds: 3600 },
    START,
    scope(interested),
  );
  await createStep(
    deps.db,
    workspaceId,
    campaign.id,
    { order: 2, subject: 'Pricing questions?', bodyHtml: '<p>Any questions on pricing?</p>', delayDays: 1 },
    START,
    scope(interested),
  );
  await createStep(
    deps.db,
    workspaceId,
    campaign.id,
    { order: 1, bodyHtml: '<p>Understood, I will check back next quarter.</p>', delaySeconds: 0 },
    START,
    scope(notNow),
  );
  await setRoutingPolicy(
    deps.db,
    workspaceId,
    campaign.id,
    {
      rules: [
        { trigger: 'reply_intent', value: 'interested', subsequenceId: interested.id },
        { trigger: 'reply_intent', value: 'not_interested', subsequenceId: notNow.id },
      ],
    },
    START,
  );
  const [prospect, control] = await seedContacts(deps, {
    workspaceId,
    campaignId: campaign.id,
    count: 2,
    enrolledAt: START,
    firstDelaySeconds: 0,
  });
  const email = (
    await rows<{ email: string }>(deps, 'SELECT email FROM contacts WHERE id = ?', [prospect!])
  )[0]!.email;
  const controlEmail = (
    await rows<{ email: string }>(deps, 'SELECT email FROM contacts WHERE id = ?', [control!])
  )[0]!.email;

  // Step 1 to both (the gap puts the second a slot later).
  await run(1);
  expect(to(email)).toHaveLength(1);
  expect(to(controlEmail)).toHaveLength(1);
  const step1 = to(email)[0]!;
  expect(step1.parsed.subject).toBe('Quick question about Co 0');

  // The prospect answers: interested.
  const replyId = '<reply-1@prospect.test>';
  await dovecot.append(
    BOX,
    rawMail({
      from: email,
      to: BOX,
      subject: 'Re: Quick question about Co 0',
      text: 'Yes, I am interested. Please send me your pricing.',
      inReplyTo: step1.headers['message-id'],
      references: [step1.headers['message-id']!],
      messageId: replyId,
    }),
  );
  await pollNow(deps);
  const moved = (
    await rows<{ status: string; subsequence_id: string; current_step: number; next_send_at: number }>(
      deps,
      'SELECT status, subsequence_id, current_step, next_send_at FROM contacts WHERE id = ?',
      [prospect!],
    )
  )[0]!;
  expect(moved).toMatchObject({ status: 'active', subsequence_id: interested.id, current_step: 0 });
  const enrolledEvents = await rows<{ data: string }>(
    deps,
    "SELECT data FROM events WHERE type = 'subsequence.enrolled' AND contact_id = ?",
    [prospect!],
  );
  expect(enrolledEvents).toHaveLength(1);
  expect(JSON.parse(enrolledEvents[0]!.data)).toMatchObject({
    campaignId: campaign.id,
    contactId: prospect,
    email,
    subsequenceId: interested.id,
    source: 'auto',
  });
  const [thread] = await rows<{ id: string; reply_intent: string }>(
    deps,
    'SELECT id, reply_intent FROM threads WHERE contact_id = ?',
    [prospect!],
  );
  expect(thread!.reply_intent).toBe('interested');

  // Three virtual days: the control gets main step 2; the prospect gets subsequence steps only.
  await run(72);
  expect(to(controlEmail).map((m) => m.parsed.subject)).toEqual([
    'Quick question about Co 1',
    'Following up',
  ]);
  const mine = to(email);
  expect(mine.map((m) => m.parsed.subject)).toEqual([
    'Quick question about Co 0',
    'Re: Quick question about Co 0',
    'Pricing questions?',
  ]);
  const sub1 = mine[1]!;
  // same mailbox, in the thread: answers the reply, references the whole conversation
  expect(sub1.envelope.from).toBe(BOX);
  expect(sub1.headers['in-reply-to']).toBe(replyId);
  expect(ids(sub1.headers.references)).toEqual([step1.headers['message-id'], replyId]);
  expect(ids(mine[2]!.headers.references)).toEqual([
    step1.headers['message-id'],
    replyId,
    sub1.headers['message-id'],
  ]);
  const mainStep2 = await rows(deps, 'SELECT status FROM sends WHERE contact_id = ? AND step_id = ?', [
    prospect!,
    campaign.stepIds[1]!,
  ]);
  expect(mainStep2.every((r) => r.status === 'canceled')).toBe(true);
  const sends = await rows<{ status: string; subsequence_id: string | null }>(
    deps,
    `SELECT s.status, st.subsequence_id FROM sends s JOIN steps st ON st.id = s.step_id
     WHERE s.contact_id = ? AND s.status IN ('sent', 'replied') ORDER BY s.sent_at`,
    [prospect!],
  );
  expect(sends.map((s) => s.subsequence_id)).toEqual([null, interested.id, interested.id]);

  // The Unibox thread shows the subsequence's messages with the reply, oldest first.
  const { threadMessages } = await import('@outreach/shared');
  const shown = await threadMessages(deps, workspaceId, thread!.id);
  expect(shown.messages.map((m) => [m.direction, m.subject])).toEqual([
    ['outbound', 'Quick question about Co 0'],
    ['inbound', 'Re: Quick question about Co 0'],
    ['outbound', 'Re: Quick question about Co 0'],
    ['outbound', 'Pricing questions?'],
  ]);
  // the contact completed the subsequence
  const done = await rows<{ status: string; completed_at: number | null }>(
    deps,
    `SELECT c.status, e.completed_at FROM contacts c JOIN subsequence_enrollments e ON e.contact_id = c.id
     WHERE c.id = ? AND e.subsequence_id = ?`,
    [prospect!, interested.id],
  );
  expect(done[0]!.status).toBe('completed');
  expect(done[0]!.completed_at).not.toBeNull();

  // Another interested reply: the same subsequence is never entered twice (the contact stays replied).
  const reply = async (id: string, text: string) => {
    await dovecot.append(
      BOX,
      rawMail({
        from: email,
        to: BOX,
        subject: 'Re: Pricing questions?',
        text,
        inReplyTo: mine[2]!.headers['message-id'],
        references: [mine[2]!.headers['message-id']!],
        messageId: id,
      }),
    );
    await pollNow(deps);
  };
  await reply('<reply-2@prospect.test>', 'Thanks, I am interested, let us set up a call.');
  const again = (
    await rows<{ status: string; subsequence_id: string }>(
      deps,
      'SELECT status, subsequence_id FROM contacts WHERE id = ?',
      [prospect!],
    )
  )[0]!;
  expect(again).toEqual({ status: 'replied', subsequence_id: interested.id });
  await run(24);
  expect(to(email)).toHaveLength(3);

  // A later reply with another intent routes to the other subsequence only.
  // (everybody had finished: the campaign completed)
  expect((await rows(deps, 'SELECT status FROM campaigns WHERE id = ?', [campaign.id]))[0]!.status).toBe(
    'completed',
  );
  await reply('<reply-3@prospect.test>', 'On second thought, we are not interested right now.');
  // the late reply gave the campaign work again
  expect((await rows(deps, 'SELECT status FROM campaigns WHERE id = ?', [campaign.id]))[0]!.status).toBe(
    'active',
  );
  const reopened = await rows<{ data: string }>(
    deps,
    "SELECT data FROM events WHERE type = 'campaign.resumed' AND campaign_id = ?",
    [campaign.id],
  );
  expect(reopened.map((e) => JSON.parse(e.data).reason)).toEqual(['subsequence_enrolled']);
  const routed = (
    await rows<{ status: string; subsequence_id: string }>(
      deps,
      'SELECT status, subsequence_id FROM contacts WHERE id = ?',
      [prospect!],
    )
  )[0]!;
  expect(routed).toEqual({ status: 'active', subsequence_id: notNow.id });
  await run(2);
  const last = to(email);
  expect(last).toHaveLength(4);
  expect(last[3]!.parsed.subject).toBe('Re: Quick question about Co 0');
  expect(last[3]!.headers['in-reply-to']).toBe('<reply-3@prospect.test>');
  const entered = await rows<{ subsequence_id: string }>(
    deps,
    'SELECT subsequence_id FROM subsequence_enrollments WHERE contact_id = ? ORDER BY enrolled_at',
    [prospect!],
  );
  expect(entered.map((e) => e.subsequence_id)).toEqual([interested.id, notNow.id]);
}, 120_000);
