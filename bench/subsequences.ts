/**
 * Subsequence benchmarks (prints figures; not a timed assertion in CI).
 *
 * 1. Enrolment: `POST …/enroll`'s service moving 1,000 contacts at a time (enrolment rows, events,
 *    canceled sends, contact moves, status changes: one batch) in a campaign of BENCH_CONTACTS.
 * 2. Planner state: loading 100 due contacts of the main sequence vs 100 due contacts of a
 *    subsequence (whose rows also carry their thread's Message-IDs and subject).
 *
 * Run: `npx tsx bench/subsequences.ts` (BENCH_CONTACTS=… to change the size).
 */
import { createStep, createSubsequence, enrollContacts, newId, type Schedule } from '@outreach/shared';
import { createTestDeps, createTestWorkspace } from '@outreach/testkit/deps';
import { loadState } from '@outreach/worker/dispatch/state';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const ALWAYS: Schedule = {
  timezone: 'UTC',
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  windows: [{ start: '00:00', end: '24:00' }],
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const deps = await createTestDeps();
  const db = deps.db.client;
  const now = Date.now();
  const { workspaceId } = await createTestWorkspace(deps);
  const campaignId = newId('campaign', now);
  const mailboxId = newId('mailbox', now);
  const cmbId = newId('campaignMailbox', now);
  await db.batch(
    [
      {
        sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, created_at, updated_at)
              VALUES (?, ?, 'bench', 'MEDIUM', 'active', ?, '{"stopOnReply":true}', ?, ?)`,
        args: [campaignId, workspaceId, JSON.stringify(ALWAYS), now, now],
      },
      {
        sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, daily_limit, status, smtp, smtp_password, imap,
                imap_password, last_check, created_at, updated_at)
              VALUES (?, ?, 'bench@acme.test', 'Ben', 100000, 'verified', '{}', '', '{}', '', '{}', ?, ?)`,
        args: [mailboxId, workspaceId, now, now],
      },
      {
        sql: `INSERT INTO campaign_mailboxes (id, campaign_id, mailbox_id, weight, state, daily_limit, gap_base_seconds,
                gap_jitter_seconds, next_available_at, assigned_contacts, created_at)
              VALUES (?, ?, ?, 1, 'active', 5000, 0, 0, 0, 0, ?)`,
        args: [cmbId, campaignId, mailboxId, now],
      },
    ],
    'write',
  );
  const step1 = await createStep(
    deps.db,
    workspaceId,
    campaignId,
    { order: 1, subject: 'Hi', bodyHtml: '<p>1</p>' },
    now,
  );
  await createStep(
    deps.db,
    workspaceId,
    campaignId,
    { order: 2, subject: 'Again', bodyHtml: '<p>2</p>' },
    now,
  );
  const sub = await createSubsequence(
    deps.db,
    workspaceId,
    campaignId,
    { name: 'B', enrollmentMode: 'manual' },
    now,
  );
  await createStep(deps.db, workspaceId, campaignId, { order: 1, bodyHtml: '<p>s</p>' }, now, {
    subsequenceId: sub.id,
  });

  // Every contact got step 1 from the mailbox; the next step is far away.
  const t0 = performance.now();
  const ids: string[] = [];
  for (let start = 0; start < CONTACTS; start += 5000) {
    const rows = [];
    for (let i = start; i < Math.min(CONTACTS, start + 5000); i++) {
      const id = newId('contact', now);
      ids.push(id);
      rows.push([id, `p${i}@example.com`, newId('send', now)]);
    }
    const json = JSON.stringify(rows);
    await db.batch(
      [
        {
          sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, custom_json, status, current_step, mailbox_id,
                  next_send_at, created_at, updated_at)
                SELECT j.value->>0, ?, ?, j.value->>1, '{}', 'active', 1, ?, ?, ?, ?
                FROM json_each(?) j WHERE true`,
          args: [workspaceId, campaignId, mailboxId, now + 86_400_000, now, now, json],
        },
        {
          sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email,
                  status, attempts, scheduled_at, sent_at, message_id, created_at, updated_at)
                SELECT j.value->>2, ?, ?, j.value->>0, ?, ?, ?, j.value->>1, 'sent', 1, ?, ?, '<' || (j.value->>2) || '@acme.test>', ?, ?
                FROM json_each(?) j WHERE true`,
          args: [workspaceId, campaignId, step1.id, mailboxId, cmbId, now - 1000, now - 1000, now, now, json],
        },
      ],
      'write',
    );
  }
  console.log(`seeded ${CONTACTS} contacts with a sent step 1 in ${Math.round(performance.now() - t0)} ms`);

  // 1. enrolment, 1,000 at a time
  const enrolMs: number[] = [];
  for (let b = 0; b < 5; b++) {
    const batch = ids.slice(b * 1000, (b + 1) * 1000);
    const s = performance.now();
    const r = await enrollContacts(deps.db, workspaceId, campaignId, sub.id, batch, now);
    enrolMs.push(performance.now() - s);
    if (r.enrolled !== batch.length) throw new Error(`enrolled ${r.enrolled} of ${batch.length}`);
  }
  console.log(
    `enrol 1,000 contacts (of ${CONTACTS}): median ${median(enrolMs).toFixed(1)} ms (runs: ${enrolMs.map((m) => m.toFixed(0)).join(', ')})`,
  );

  // 2. planner state: 100 due main contacts, then 100 due subsequence contacts
  const loadMs = async (label: string, due: string[]) => {
    await db.execute({
      sql: 'UPDATE contacts SET next_send_at = ? WHERE next_send_at <= ?',
      args: [now + 86_400_000, now],
    });
    await db.execute({
      sql: 'UPDATE contacts SET next_send_at = ? WHERE id IN (SELECT value FROM json_each(?))',
      args: [now - 1, JSON.stringify(due)],
    });
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      const state = await loadState(deps, now, 100);
      times.push(performance.now() - s);
      found = state.contacts.size;
    }
    console.log(`load state, ${found} due ${label}: median ${median(times).toFixed(2)} ms`);
  };
  await loadMs('main-sequence contacts', ids.slice(10_000, 10_100));
  await loadMs('subsequence contacts (with thread refs)', ids.slice(0, 100));
  deps.cleanup();
}

await main();
