/**
 * The subsequence routes (API.md "Subsequences") on a real libSQL file: CRUD with counts, steps
 * (same rules as main steps, subject optional), routing policy validation, enrolment of mixed
 * contacts with their reasons, a corrected label routing the contact, a manual rule only
 * labelling, stats, and isolation between workspaces.
 */
import { newId } from '@outreach/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCampaign } from './seed-sends';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t?.close());

const q = (sql: string, args: (string | number | null)[] = []) =>
  t.deps.db.client.execute({ sql, args }).then((r) => r.rows as Record<string, unknown>[]);

async function campaign(name = 'Subseq'): Promise<string> {
  const res = await t.a.req('POST', '/campaigns', { body: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function subsequence(cmp: string, body = { name: 'Interested', enrollmentMode: 'auto' }) {
  const res = await t.a.req('POST', `/campaigns/${cmp}/subsequences`, { body });
  expect(res.status).toBe(201);
  return res.body;
}

describe('subsequences CRUD', () => {
  it('creates, lists with counts, gets, patches and deletes', async () => {
    const cmp = await campaign();
    const sub = await subsequence(cmp);
    expect(sub).toEqual({
      id: expect.stringMatching(/^sub_/),
      campaignId: cmp,
      name: 'Interested',
      enrollmentMode: 'auto',
      status: 'active',
      counts: { enrolled: 0, active: 0, completed: 0 },
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    const second = await subsequence(cmp, { name: 'Later', enrollmentMode: 'manual' });
    const list = await t.a.req('GET', `/campaigns/${cmp}/subsequences`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([sub.id, second.id]);
    expect((await t.a.req('GET', `/campaigns/${cmp}/subsequences/${sub.id}`)).body).toEqual(sub);
    const patched = await t.a.req('PATCH', `/campaigns/${cmp}/subsequences/${sub.id}`, {
      body: { name: 'Hot leads', enrollmentMode: 'manual' },
    });
    expect(patched.body).toMatchObject({ id: sub.id, name: 'Hot leads', enrollmentMode: 'manual' });
    expect((await t.a.req('DELETE', `/campaigns/${cmp}/subsequences/${second.id}`)).status).toBe(204);
    expectProblem(await t.a.req('GET', `/campaigns/${cmp}/subsequences/${second.id}`), 404, 'not_found');
    expect((await t.a.req('GET', `/campaigns/${cmp}/subsequences`)).body.items).toHaveLength(1);
    const events = await q(
      "SELECT type FROM events WHERE campaign_id = ? AND type LIKE 'subsequence.%' ORDER BY id",
      [cmp],
    );
    expect(events.map((e) => e.type)).toEqual([
      'subsequence.created',
      'subsequence.created',
      'subsequence.updated',
      'subsequence.deleted',
    ]);
  });

  it('validates its body (422 naming the field)', async () => {
    const cmp = await campaign();
    expectProblem(
      await t.a.req('POST', `/campaigns/${cmp}/subsequences`, {
        body: { name: 'x', enrollmentMode: 'sometimes' },
      }),
      422,
      'validation_failed',
      'enrollmentMode',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${cmp}/subsequences`, {
        body: { name: ' ', enrollmentMode: 'auto' },
      }),
      422,
      'validation_failed',
      'name',
    );
  });

  it('steps: the main step rules, subject optional; PATCH/DELETE /campaigns/steps work on them', async () => {
    const cmp = await campaign();
    const sub = await subsequence(cmp);
    await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { order: 1, subject: 'Hi', bodyHtml: '<p>main</p>' },
    });
    const res = await t.a.req('POST', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, {
      body: { order: 1, bodyHtml: '<p>Pricing, {{firstName}}</p>', delayDays: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ subsequenceId: sub.id, order: 1, subject: '', delaySeconds: 86_400 });
    // order 1 is the subsequence's own: it does not clash with the main step 1, but with its own
    expectProblem(
      await t.a.req('POST', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, {
        body: { order: 1, bodyHtml: 'x' },
      }),
      409,
      'conflict',
      'order',
    );
    expectProblem(
      await t.a.req('POST', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, {
        body: { order: 2, bodyHtml: '{{#broken}}' },
      }),
      422,
      'validation_failed',
      'bodyHtml',
    );
    // a main step still needs its subject
    expectProblem(
      await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: { order: 2, bodyHtml: '<p>x</p>' } }),
      422,
      'validation_failed',
      'subject',
    );
    const withVariants = await t.a.req('POST', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, {
      body: {
        order: 2,
        bodyHtml: '<p>b</p>',
        variants: [{ weight: 1 }, { subject: 'Own subject', weight: 1 }],
      },
    });
    expect(withVariants.status).toBe(201);
    const subSteps = await t.a.req('GET', `/campaigns/${cmp}/subsequences/${sub.id}/steps`);
    expect(subSteps.body.items.map((s: { order: number }) => s.order)).toEqual([1, 2]);
    const mainSteps = await t.a.req('GET', `/campaigns/${cmp}/steps`);
    expect(mainSteps.body.items.map((s: { subsequenceId: null }) => s.subsequenceId)).toEqual([null]);
    const patched = await t.a.req('PATCH', `/campaigns/steps/${res.body.id}`, {
      body: { delaySeconds: 600 },
    });
    expect(patched.body).toMatchObject({ subsequenceId: sub.id, delaySeconds: 600, subject: '' });
    expect((await t.a.req('DELETE', `/campaigns/steps/${withVariants.body.id}`)).status).toBe(204);
  });
});

describe('PATCH /campaigns/{id}/subsequence-routing', () => {
  it('stores the rules and returns them on GET /campaigns/{id}', async () => {
    const cmp = await campaign();
    const a = await subsequence(cmp);
    const b = await subsequence(cmp, { name: 'Later', enrollmentMode: 'manual' });
    const routingPolicy = {
      rules: [
        { trigger: 'reply_intent', value: 'interested', subsequenceId: a.id },
        { trigger: 'reply_intent', value: 'neutral', subsequenceId: b.id },
      ],
    };
    const res = await t.a.req('PATCH', `/campaigns/${cmp}/subsequence-routing`, { body: { routingPolicy } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(routingPolicy);
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.routingPolicy).toEqual(routingPolicy);
    // deleting a subsequence takes its rules with it
    await t.a.req('DELETE', `/campaigns/${cmp}/subsequences/${b.id}`);
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.routingPolicy).toEqual({
      rules: [routingPolicy.rules[0]],
    });
    // …and a rule naming it is refused from then on
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${cmp}/subsequence-routing`, { body: { routingPolicy } }),
      422,
      'validation_failed',
      'routingPolicy.rules.1.subsequenceId',
    );
  });

  it("422 for an unknown intent, another campaign's or another workspace's subsequence", async () => {
    const cmp = await campaign();
    const mine = await subsequence(cmp);
    const otherCampaign = await subsequence(await campaign('Other'));
    const theirs = (
      await t.b.req(
        'POST',
        `/campaigns/${(await t.b.req('POST', '/campaigns', { body: { name: 'B' } })).body.id}/subsequences`,
        {
          body: { name: 'B sub', enrollmentMode: 'auto' },
        },
      )
    ).body;
    const rule = (value: string, subsequenceId: string) => ({
      trigger: 'reply_intent',
      value,
      subsequenceId,
    });
    const patch = (rules: unknown[]) =>
      t.a.req('PATCH', `/campaigns/${cmp}/subsequence-routing`, { body: { routingPolicy: { rules } } });
    expectProblem(
      await patch([rule('thrilled', mine.id)]),
      422,
      'validation_failed',
      'routingPolicy.rules.0.value',
    );
    expectProblem(
      await patch([rule('interested', mine.id), rule('neutral', otherCampaign.id)]),
      422,
      'validation_failed',
      'routingPolicy.rules.1.subsequenceId',
    );
    expectProblem(
      await patch([rule('interested', theirs.id)]),
      422,
      'validation_failed',
      'routingPolicy.rules.0.subsequenceId',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/${cmp}/subsequence-routing`, {
        body: {
          routingPolicy: { rules: [{ trigger: 'keyword', value: 'interested', subsequenceId: mine.id }] },
        },
      }),
      422,
      'validation_failed',
      'routingPolicy.rules.0.trigger',
    );
    expect((await t.a.req('GET', `/campaigns/${cmp}`)).body.routingPolicy).toBeNull();
  });
});

/** A launched campaign with a main step sent to each contact in the given status. */
async function launched(statuses: string[]) {
  const seeded = await seedCampaign(t.deps, t.a.workspaceId, {
    steps: [{}, {}],
    contacts: statuses.map((status, i) => ({
      email: `c${i}-${Math.random().toString(36).slice(2, 8)}@prospect.test`,
      status,
    })),
    sends: statuses.map((_, i) => ({ contact: i, step: 0, status: 'sent' as const })),
  });
  await q("UPDATE campaigns SET status = 'active' WHERE id = ?", [seeded.campaignId]);
  return seeded;
}

describe('POST …/subsequences/{subId}/enroll', () => {
  it('moves active, replied and completed contacts; skips the others with the reason', async () => {
    const s = await launched([
      'active',
      'replied',
      'completed',
      'unsubscribed',
      'bounced',
      'failed',
      'pending',
      'active',
    ]);
    const sub = await subsequence(s.campaignId, { name: 'Manual pick', enrollmentMode: 'manual' });
    await t.a.req('POST', `/campaigns/${s.campaignId}/subsequences/${sub.id}/steps`, {
      body: { order: 1, bodyHtml: '<p>Hello again</p>', delaySeconds: 3600 },
    });
    // the first contact's main step 2 is waiting: it is canceled by the move
    const waiting = newId('send', Date.now());
    await q(
      `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, mailbox_id, campaign_mailbox_id, to_email, status,
         attempts, scheduled_at, message_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'mbx_seed', 'cmb_seed', ?, 'scheduled', 0, 0, '<w@seed.test>', 0, 0)`,
      [waiting, t.a.workspaceId, s.campaignId, s.contactIds[0]!, s.stepIds[1]!, s.emails[0]!],
    );
    // the last one is on the suppression list (still active: the loop has not seen it yet)
    await t.a.req('POST', '/campaigns/suppressions', { body: { emails: [s.emails[7]], reason: 'manual' } });
    await q("UPDATE contacts SET status = 'active' WHERE id = ?", [s.contactIds[7]!]);
    const before = Date.now();
    const res = await t.a.req('POST', `/campaigns/${s.campaignId}/subsequences/${sub.id}/enroll`, {
      body: { contactIds: [...s.contactIds, 'cnt_nobody'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.enrolled).toBe(3);
    expect(res.body.skipped).toEqual([
      { contactId: s.contactIds[3], reason: 'unsubscribed' },
      { contactId: s.contactIds[4], reason: 'bounced' },
      { contactId: s.contactIds[5], reason: 'failed' },
      { contactId: s.contactIds[6], reason: 'pending' },
      { contactId: s.contactIds[7], reason: 'suppressed' },
      { contactId: 'cnt_nobody', reason: 'not_found' },
    ]);
    const moved = await q(
      'SELECT id, status, subsequence_id, current_step, next_send_at FROM contacts WHERE id IN (?, ?, ?) ORDER BY id',
      s.contactIds.slice(0, 3),
    );
    for (const c of moved) {
      expect(c).toMatchObject({ status: 'active', subsequence_id: sub.id, current_step: 0 });
      expect(Number(c.next_send_at)).toBeGreaterThanOrEqual(before + 3_600_000);
    }
    expect((await q('SELECT status, error FROM sends WHERE id = ?', [waiting]))[0]).toEqual({
      status: 'canceled',
      error: 'subsequence',
    });
    const events = await q(
      "SELECT contact_id, data FROM events WHERE type = 'subsequence.enrolled' AND campaign_id = ? ORDER BY id",
      [s.campaignId],
    );
    expect(events.map((e) => e.contact_id).sort()).toEqual(s.contactIds.slice(0, 3).sort());
    expect(JSON.parse(String(events[0]!.data))).toMatchObject({ subsequenceId: sub.id, source: 'manual' });
    // contacts carry it; the replied and completed ones are active again (with their status events)
    const contact = await t.a.req('GET', `/campaigns/${s.campaignId}/contacts/${s.contactIds[1]}`);
    expect(contact.body).toMatchObject({ status: 'active', subsequenceId: sub.id, currentStep: 0 });
    const changes = await q(
      "SELECT json_extract(data, '$.previousStatus') AS p FROM events WHERE type = 'contact.status_changed' AND json_extract(data, '$.reason') = 'subsequence_enrolled' AND campaign_id = ?",
      [s.campaignId],
    );
    expect(changes.map((c) => c.p).sort()).toEqual(['completed', 'replied']);

    // once per subsequence; one subsequence at a time
    const again = await t.a.req('POST', `/campaigns/${s.campaignId}/subsequences/${sub.id}/enroll`, {
      body: { contactIds: [s.contactIds[0]] },
    });
    expect(again.body).toEqual({
      enrolled: 0,
      skipped: [{ contactId: s.contactIds[0], reason: 'already_enrolled' }],
    });
    const other = await subsequence(s.campaignId, { name: 'Other', enrollmentMode: 'manual' });
    const elsewhere = await t.a.req('POST', `/campaigns/${s.campaignId}/subsequences/${other.id}/enroll`, {
      body: { contactIds: [s.contactIds[0]] },
    });
    expect(elsewhere.body.skipped).toEqual([{ contactId: s.contactIds[0], reason: 'in_other_subsequence' }]);

    // counts on the list and in /stats
    const listed = (await t.a.req('GET', `/campaigns/${s.campaignId}/subsequences`)).body.items[0];
    expect(listed.counts).toEqual({ enrolled: 3, active: 3, completed: 0 });
    const stats = await t.a.req('GET', `/campaigns/${s.campaignId}/stats`);
    expect(stats.body.subsequences).toEqual([
      { subsequenceId: sub.id, enrolled: 3, sent: 0, replied: 0, completed: 0 },
      { subsequenceId: other.id, enrolled: 0, sent: 0, replied: 0, completed: 0 },
    ]);
    // a subsequence somebody is active in cannot be deleted
    expectProblem(
      await t.a.req('DELETE', `/campaigns/${s.campaignId}/subsequences/${sub.id}`),
      409,
      'conflict',
    );
  });

  it('validates contactIds (1–1000)', async () => {
    const s = await launched(['active']);
    const sub = await subsequence(s.campaignId);
    const path = `/campaigns/${s.campaignId}/subsequences/${sub.id}/enroll`;
    expectProblem(
      await t.a.req('POST', path, { body: { contactIds: [] } }),
      422,
      'validation_failed',
      'contactIds',
    );
    expectProblem(
      await t.a.req('POST', path, {
        body: { contactIds: Array.from({ length: 1001 }, (_, i) => `cnt_${i}`) },
      }),
      422,
      'validation_failed',
      'contactIds',
    );
  });
});

/** A thread of a replied contact (as the inbox loop leaves it), replied `agoMs` ago. */
async function repliedThread(s: Awaited<ReturnType<typeof launched>>, i: number, replyAt: number) {
  const threadId = newId('thread', replyAt);
  await t.deps.db.client.batch(
    [
      {
        sql: `INSERT INTO threads (id, workspace_id, campaign_id, contact_id, mailbox_id, external_thread_id, subject, subject_display,
                reply_intent, message_count, created_at, updated_at)
              VALUES (?, ?, ?, ?, 'mbx_seed', '<x@seed.test>', 'Re: Step 1', 'Step 1', 'neutral', 1, ?, ?)`,
        args: [threadId, t.a.workspaceId, s.campaignId, s.contactIds[i]!, replyAt, replyAt],
      },
      {
        sql: `INSERT INTO messages (id, workspace_id, thread_id, mailbox_id, direction, kind, message_id, "references", from_email,
                to_emails, cc_emails, subject, body_text, text, reply_intent, reasons, status, date_received, created_at)
              VALUES (?, ?, ?, 'mbx_seed', 'inbound', 'reply', ?, '[]', ?, '[]', '[]', 'Re: Step 1', 'Maybe', 'Maybe', 'neutral',
                '[]', 'received', ?, ?)`,
        args: [
          newId('message', replyAt),
          t.a.workspaceId,
          threadId,
          `<r${i}@prospect.test>`,
          s.emails[i]!,
          replyAt,
          replyAt,
        ],
      },
    ],
    'write',
  );
  return threadId;
}

describe('PATCH /threads/{id} routes by the corrected label', () => {
  it('an auto rule moves the contact (first delay from the reply); a manual rule only labels', async () => {
    const s = await launched(['replied', 'replied']);
    const auto = await subsequence(s.campaignId);
    const manual = await subsequence(s.campaignId, { name: 'Call them', enrollmentMode: 'manual' });
    await t.a.req('POST', `/campaigns/${s.campaignId}/subsequences/${auto.id}/steps`, {
      body: { order: 1, bodyHtml: '<p>Pricing</p>', delaySeconds: 7200 },
    });
    await t.a.req('PATCH', `/campaigns/${s.campaignId}/subsequence-routing`, {
      body: {
        routingPolicy: {
          rules: [
            { trigger: 'reply_intent', value: 'interested', subsequenceId: auto.id },
            { trigger: 'reply_intent', value: 'not_interested', subsequenceId: manual.id },
          ],
        },
      },
    });
    const replyAt = Date.now() - 600_000;
    const t0 = await repliedThread(s, 0, replyAt);
    const t1 = await repliedThread(s, 1, replyAt);

    const res = await t.a.req('PATCH', `/threads/${t0}`, { body: { replyIntent: 'interested' } });
    expect(res.status).toBe(200);
    expect(res.body.replyIntent).toBe('interested');
    const [c0] = await q('SELECT status, subsequence_id, next_send_at FROM contacts WHERE id = ?', [
      s.contactIds[0]!,
    ]);
    expect(c0).toEqual({ status: 'active', subsequence_id: auto.id, next_send_at: replyAt + 7_200_000 });
    const types = await q(
      "SELECT type FROM events WHERE contact_id = ? AND type IN ('thread.intent_changed', 'subsequence.enrolled') ORDER BY id",
      [s.contactIds[0]!],
    );
    expect(types.map((e) => e.type)).toEqual(['thread.intent_changed', 'subsequence.enrolled']);

    const labelled = await t.a.req('PATCH', `/threads/${t1}`, { body: { replyIntent: 'not_interested' } });
    expect(labelled.body.replyIntent).toBe('not_interested');
    const [c1] = await q('SELECT status, subsequence_id FROM contacts WHERE id = ?', [s.contactIds[1]!]);
    expect(c1).toEqual({ status: 'replied', subsequence_id: null });
    expect(
      await q('SELECT 1 FROM subsequence_enrollments WHERE contact_id = ?', [s.contactIds[1]!]),
    ).toHaveLength(0);

    // correcting the label back and forth never enters the same subsequence twice
    await t.a.req('PATCH', `/threads/${t0}`, { body: { replyIntent: 'neutral' } });
    await t.a.req('PATCH', `/threads/${t0}`, { body: { replyIntent: 'interested' } });
    expect(
      await q('SELECT 1 FROM subsequence_enrollments WHERE contact_id = ?', [s.contactIds[0]!]),
    ).toHaveLength(1);
  });
});

describe('isolation', () => {
  it("403 with another workspace's id; 404 for another workspace's campaign and subsequence", async () => {
    const s = await launched(['active']);
    const cmp = s.campaignId;
    const sub = await subsequence(cmp);
    const routing = { routingPolicy: { rules: [] } };
    const routes = [
      ['POST', `/campaigns/${cmp}/subsequences`, { name: 'x', enrollmentMode: 'auto' }],
      ['GET', `/campaigns/${cmp}/subsequences`, undefined],
      ['GET', `/campaigns/${cmp}/subsequences/${sub.id}`, undefined],
      ['PATCH', `/campaigns/${cmp}/subsequences/${sub.id}`, { name: 'stolen' }],
      ['DELETE', `/campaigns/${cmp}/subsequences/${sub.id}`, undefined],
      ['POST', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, { order: 1, bodyHtml: 'x' }],
      ['GET', `/campaigns/${cmp}/subsequences/${sub.id}/steps`, undefined],
      ['POST', `/campaigns/${cmp}/subsequences/${sub.id}/enroll`, { contactIds: [s.contactIds[0]] }],
      ['PATCH', `/campaigns/${cmp}/subsequence-routing`, routing],
    ] as const;
    for (const [method, path, body] of routes) {
      expectProblem(
        await t.a.req(method, path, { body, query: { workspaceId: t.b.workspaceId } }),
        403,
        'forbidden',
      );
      expectProblem(await t.b.req(method, path, { body }), 404, 'not_found');
      expectProblem(await t.a.req(method, path, { body, key: null }), 401, 'unauthorized');
    }
    // a subsequence id under another of our campaigns is not found either
    const mine = await campaign('Mine');
    expectProblem(await t.a.req('GET', `/campaigns/${mine}/subsequences/${sub.id}`), 404, 'not_found');
    // nothing changed
    expect((await t.a.req('GET', `/campaigns/${cmp}/subsequences/${sub.id}`)).body).toEqual(sub);
    expect(await q('SELECT 1 FROM subsequence_enrollments WHERE subsequence_id = ?', [sub.id])).toHaveLength(
      0,
    );
  });
});
