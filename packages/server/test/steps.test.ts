import { changeCampaignStatus, schema } from '@outreach/shared';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const SEED_STEP_1 = {
  order: 1,
  subject: 'Quick question about {{company}}',
  bodyHtml:
    '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast. We help companies like yours with...</p><p>Would you be open to a quick chat?</p><p>Best,<br/>{{senderFirstName}}</p>',
  bodyText:
    'Hi {{firstName}},\n\nI noticed {{company}} is growing fast. We help companies like yours with...\n\nWould you be open to a quick chat?\n\nBest,\n{{senderFirstName}}',
};
const SEED_STEP_2 = {
  order: 2,
  delayDays: 3,
  subject: 'Re: Quick question about {{company}}',
  bodyHtml:
    '<p>Hi {{firstName}},</p><p>Just wanted to follow up on my last email. Would love to connect this week.</p><p>{{senderFirstName}}</p>',
};
const SEED_STEP_3 = {
  order: 3,
  delayDays: 5,
  subject: 'Last try — {{firstName}}',
  bodyHtml:
    "<p>Hi {{firstName}},</p><p>I'll keep this short — is this something worth exploring?</p><p>If not, no worries at all.</p><p>{{senderFirstName}}</p>",
};
const SEED_VARIANT_STEP = {
  order: 1,
  subject: 'Quick question about {{company}}',
  variants: [
    {
      subject: 'Quick question about {{company}}',
      bodyHtml: '<p>Variant A — direct approach...</p>',
      weight: 50,
    },
    { subject: 'Idea for {{company}}', bodyHtml: '<p>Variant B — value-first approach...</p>', weight: 50 },
  ],
};

async function campaign(name = 'Steps'): Promise<string> {
  const res = await t.a.req('POST', '/campaigns', { body: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function eventsOf(campaignId: string, type: string) {
  return t.deps.db.orm
    .select()
    .from(schema.events)
    .where(and(eq(schema.events.campaignId, campaignId), eq(schema.events.type, type)));
}

describe('POST /campaigns/{id}/steps', () => {
  it('creates the seed steps and answers the seed shape', async () => {
    const cmp = await campaign();
    const one = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    expect(one.status).toBe(201);
    expect(one.body).toEqual({
      id: expect.stringMatching(/^stp_[0-9a-z]{26}$/),
      campaignId: cmp,
      subsequenceId: null,
      order: 1,
      subject: SEED_STEP_1.subject,
      bodyHtml: SEED_STEP_1.bodyHtml,
      bodyText: SEED_STEP_1.bodyText,
      delaySeconds: 0,
      variants: [],
    });
    const two = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_2 });
    expect(two.status).toBe(201);
    expect(two.body).toMatchObject({ order: 2, delaySeconds: 259200, bodyText: null, variants: [] });
    const three = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_3 });
    expect(three.body.delaySeconds).toBe(5 * 86400);

    const created = await eventsOf(cmp, 'steps.created');
    expect(created.map((e) => e.data.stepId).sort()).toEqual(
      [one.body.id, two.body.id, three.body.id].sort(),
    );
  });

  it('accepts delaySeconds, and refuses delayDays with delaySeconds', async () => {
    const cmp = await campaign();
    const ok = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_STEP_2, delayDays: undefined, delaySeconds: 90 },
    });
    expect(ok.body.delaySeconds).toBe(90);
    const both = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_STEP_3, delaySeconds: 60 },
    });
    expectProblem(both, 422, 'validation_failed', 'delayDays');
    const negative = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_STEP_3, delayDays: -1 },
    });
    expectProblem(negative, 422, 'validation_failed', 'delayDays');
  });

  it('creates the seed A/B variant step: ids var_…, the step content may come from the variants', async () => {
    const cmp = await campaign();
    const res = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_VARIANT_STEP });
    expect(res.status).toBe(201);
    expect(res.body.subject).toBe(SEED_VARIANT_STEP.subject);
    expect(res.body.variants).toEqual([
      {
        id: expect.stringMatching(/^var_/),
        subject: 'Quick question about {{company}}',
        bodyHtml: '<p>Variant A — direct approach...</p>',
        bodyText: null,
        weight: 50,
      },
      {
        id: expect.stringMatching(/^var_/),
        subject: 'Idea for {{company}}',
        bodyHtml: '<p>Variant B — value-first approach...</p>',
        bodyText: null,
        weight: 50,
      },
    ]);
    expect(res.body.variants[0].id).not.toBe(res.body.variants[1].id);
  });

  it('422 naming each missing or broken field', async () => {
    const cmp = await campaign();
    const missing = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: { order: 1, subject: 'Hi' } });
    expectProblem(missing, 422, 'validation_failed', 'bodyHtml');
    const noOrder = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { subject: 'Hi', bodyHtml: '<p>x</p>' },
    });
    expectProblem(noOrder, 422, 'validation_failed', 'order');
    const brokenSubject = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { order: 1, subject: 'Hi {{#company}}', bodyHtml: '<p>x</p>' },
    });
    expectProblem(brokenSubject, 422, 'validation_failed', 'subject');
    const brokenBoth = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { order: 1, subject: 'Hi {{firstName', bodyHtml: '<p>{{/x}}</p>' },
    });
    expect(brokenBoth.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['subject', 'bodyHtml']),
    );
    const brokenVariant = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: {
        ...SEED_VARIANT_STEP,
        variants: [
          SEED_VARIANT_STEP.variants[0],
          { ...SEED_VARIANT_STEP.variants[1], bodyHtml: '<p>{{#open}}</p>' },
        ],
      },
    });
    expectProblem(brokenVariant, 422, 'validation_failed', 'variants.1.bodyHtml');
    const variantWithoutBody = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_VARIANT_STEP, variants: [SEED_VARIANT_STEP.variants[0], { subject: 'B', weight: 10 }] },
    });
    expectProblem(variantWithoutBody, 422, 'validation_failed', 'variants.1.bodyHtml');
    const zeroWeights = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_STEP_1, variants: [{ subject: 'A', weight: 0 }] },
    });
    expectProblem(zeroWeights, 422, 'validation_failed', 'variants');
    const badWeight = await t.a.req('POST', `/campaigns/${cmp}/steps`, {
      body: { ...SEED_STEP_1, variants: [{ weight: 1.5 }] },
    });
    expectProblem(badWeight, 422, 'validation_failed', 'variants.0.weight');
    // Nothing was stored by the refused requests.
    expect((await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items).toEqual([]);
  });

  it('409 conflict naming the order for a duplicate order, also under concurrent requests', async () => {
    const cmp = await campaign();
    await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    const dup = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: { ...SEED_STEP_2, order: 1 } });
    expectProblem(dup, 409, 'conflict');
    expect(dup.body.detail).toContain('order 1');
    // Another campaign may use the same order.
    const other = await campaign();
    expect((await t.a.req('POST', `/campaigns/${other}/steps`, { body: SEED_STEP_1 })).status).toBe(201);

    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.a.req('POST', `/campaigns/${cmp}/steps`, { body: { ...SEED_STEP_2, order: 7 } }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const list = await t.a.req('GET', `/campaigns/${cmp}/steps`);
    expect(list.body.items.filter((s: { order: number }) => s.order === 7)).toHaveLength(1);
  });

  it('replays an idempotent create', async () => {
    const cmp = await campaign();
    const headers = { 'idempotency-key': 'step-create-1' };
    const first = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1, headers });
    const again = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items).toHaveLength(1);
  });
});

describe('GET /campaigns/{id}/steps', () => {
  it('lists the steps by order, whatever the creation order', async () => {
    const cmp = await campaign();
    for (const s of [SEED_STEP_3, SEED_STEP_1, SEED_STEP_2])
      await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: s });
    const res = await t.a.req('GET', `/campaigns/${cmp}/steps`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { order: number }) => s.order)).toEqual([1, 2, 3]);
    expect(res.body.items.map((s: { subject: string }) => s.subject)).toEqual([
      SEED_STEP_1.subject,
      SEED_STEP_2.subject,
      SEED_STEP_3.subject,
    ]);
  });
});

describe('PATCH /campaigns/steps/{stepId}', () => {
  it('applies the seed patch and keeps the other fields', async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    const res = await t.a.req('PATCH', `/campaigns/steps/${step.id}`, {
      body: { subject: 'Updated subject line', delayDays: 2 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...step, subject: 'Updated subject line', delaySeconds: 172800 });
    const listed = (await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items[0];
    expect(listed).toEqual(res.body);
    const updated = await eventsOf(cmp, 'steps.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.data).toMatchObject({ stepId: step.id, fields: ['subject', 'delayDays'] });
  });

  it('changes order (409 when taken), clears bodyText with null, and validates like create', async () => {
    const cmp = await campaign();
    const { body: one } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_2 });
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { order: 2 } }),
      409,
      'conflict',
    );
    const moved = await t.a.req('PATCH', `/campaigns/steps/${one.id}`, {
      body: { order: 5, bodyText: null },
    });
    expect(moved.body).toMatchObject({ order: 5, bodyText: null });
    const orders = (await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items.map(
      (s: { id: string; order: number }) => [s.order, s.id],
    );
    expect(orders[1]).toEqual([5, one.id]);
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { bodyHtml: '<p>{{#x}}</p>' } }),
      422,
      'validation_failed',
      'bodyHtml',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { bodyHtml: '' } }),
      422,
      'validation_failed',
      'bodyHtml',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { delayDays: 1, delaySeconds: 5 } }),
      422,
      'validation_failed',
      'delaySeconds',
    );
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { order: 0 } }),
      422,
      'validation_failed',
      'order',
    );
    // The refused patches changed nothing.
    const after = (await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items[1];
    expect(after).toEqual(moved.body);
  });

  it('replaces variants, keeping the ids of items that carry theirs', async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_VARIANT_STEP });
    const [a, b] = step.variants;
    const res = await t.a.req('PATCH', `/campaigns/steps/${step.id}`, {
      body: {
        variants: [
          { id: b.id, subject: 'B2', bodyHtml: '<p>B2</p>', weight: 80 },
          { bodyHtml: '<p>C</p>', weight: 20 },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.variants).toEqual([
      { id: b.id, subject: 'B2', bodyHtml: '<p>B2</p>', bodyText: null, weight: 80 },
      { id: expect.stringMatching(/^var_/), subject: null, bodyHtml: '<p>C</p>', bodyText: null, weight: 20 },
    ]);
    expect(res.body.variants[1].id).not.toBe(a.id);
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${step.id}`, {
        body: { variants: [{ id: a.id, weight: 1 }] },
      }),
      422,
      'validation_failed',
      'variants.0.id',
    );
    // The step has no bodyHtml of its own: removing the variants would leave it empty.
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${step.id}`, { body: { variants: [] } }),
      422,
      'validation_failed',
      'bodyHtml',
    );
    const withBody = await t.a.req('PATCH', `/campaigns/steps/${step.id}`, {
      body: { variants: [], bodyHtml: '<p>plain</p>' },
    });
    expect(withBody.body).toMatchObject({ variants: [], bodyHtml: '<p>plain</p>' });
  });

  it('edits a step of an active campaign, but does not move a step that has sends', async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    await changeCampaignStatus(t.deps.db, t.a.workspaceId, cmp, 'launch', Date.now(), {
      launchedAt: Date.now(),
    });
    const fixed = await t.a.req('PATCH', `/campaigns/steps/${step.id}`, {
      body: { subject: 'Quick question about {{company}}!' },
    });
    expect(fixed.status).toBe(200);
    await insertSend(cmp, step.id);
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${step.id}`, { body: { order: 9 } }),
      409,
      'conflict',
    );
    expect((await t.a.req('PATCH', `/campaigns/steps/${step.id}`, { body: { delayDays: 1 } })).status).toBe(
      200,
    );
  });
});

let sendSeq = 0;
async function insertSend(campaignId: string, stepId: string) {
  const now = Date.now();
  sendSeq++;
  await t.deps.db.orm.insert(schema.sends).values({
    id: `snd_test${sendSeq}`,
    workspaceId: t.a.workspaceId,
    campaignId,
    contactId: `cnt_test${sendSeq}`,
    stepId,
    mailboxId: 'mbx_test',
    campaignMailboxId: 'cmb_test',
    to: `p${sendSeq}@example.com`,
    status: 'sent',
    scheduledAt: now,
    sentAt: now,
    messageId: `<m${sendSeq}@example.com>`,
    createdAt: now,
    updatedAt: now,
  });
}

describe('DELETE /campaigns/steps/{stepId}', () => {
  it('deletes a step with no sends and writes steps.deleted', async () => {
    const cmp = await campaign();
    const { body: one } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    const { body: two } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_2 });
    const res = await t.a.req('DELETE', `/campaigns/steps/${one.id}`);
    expect(res.status).toBe(204);
    expect(
      (await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items.map((s: { id: string }) => s.id),
    ).toEqual([two.id]);
    expect((await eventsOf(cmp, 'steps.deleted')).map((e) => e.data.stepId)).toEqual([one.id]);
    expectProblem(await t.a.req('DELETE', `/campaigns/steps/${one.id}`), 404, 'not_found');
    expectProblem(
      await t.a.req('PATCH', `/campaigns/steps/${one.id}`, { body: { subject: 'x' } }),
      404,
      'not_found',
    );
    // Its order is free again.
    expect((await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 })).status).toBe(201);
  });

  it('409 for a step that already has sends; the step stays', async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    await insertSend(cmp, step.id);
    const res = await t.a.req('DELETE', `/campaigns/steps/${step.id}`);
    expectProblem(res, 409, 'conflict');
    expect(res.body.detail).toContain('send');
    expect((await t.a.req('GET', `/campaigns/${cmp}/steps`)).body.items).toHaveLength(1);
    expect(await eventsOf(cmp, 'steps.deleted')).toHaveLength(0);
  });
});

describe('steps: auth and workspace isolation', () => {
  it('401 without a key on every step route', async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    for (const [method, path, body] of [
      ['POST', `/campaigns/${cmp}/steps`, SEED_STEP_2],
      ['GET', `/campaigns/${cmp}/steps`, undefined],
      ['PATCH', `/campaigns/steps/${step.id}`, { subject: 'x' }],
      ['DELETE', `/campaigns/steps/${step.id}`, undefined],
      ['POST', '/campaigns/steps/preview', { step: { subject: 's', bodyHtml: 'b' }, contact: {} }],
    ] as const) {
      expectProblem(await t.a.req(method, path, { body, key: null }), 401, 'unauthorized');
    }
  });

  it("403 with the other workspace's id, 404 for the other workspace's campaign and step", async () => {
    const cmp = await campaign();
    const { body: step } = await t.a.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_1 });
    const other = { workspaceId: t.b.workspaceId };
    for (const [method, path, body] of [
      ['POST', `/campaigns/${cmp}/steps`, SEED_STEP_2],
      ['GET', `/campaigns/${cmp}/steps`, undefined],
      ['PATCH', `/campaigns/steps/${step.id}`, { subject: 'x' }],
      ['DELETE', `/campaigns/steps/${step.id}`, undefined],
      ['POST', '/campaigns/steps/preview', { step: { subject: 's', bodyHtml: 'b' }, contact: {} }],
    ] as const) {
      expectProblem(await t.a.req(method, path, { body, query: other }), 403, 'forbidden');
    }
    expectProblem(await t.b.req('POST', `/campaigns/${cmp}/steps`, { body: SEED_STEP_2 }), 404, 'not_found');
    expectProblem(await t.b.req('GET', `/campaigns/${cmp}/steps`), 404, 'not_found');
    expectProblem(
      await t.b.req('PATCH', `/campaigns/steps/${step.id}`, { body: { subject: 'stolen' } }),
      404,
      'not_found',
    );
    expectProblem(await t.b.req('DELETE', `/campaigns/steps/${step.id}`), 404, 'not_found');
    const still = await t.a.req('GET', `/campaigns/${cmp}/steps`);
    expect(still.body.items).toEqual([step]);
  });
});

describe('POST /campaigns/steps/preview', () => {
  const preview = (body: unknown) => t.a.req('POST', '/campaigns/steps/preview', { body });

  it("gives the seed's response for the seed's request", async () => {
    const res = await preview({
      step: {
        subject: 'Quick question about {{company}}',
        bodyHtml: '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast...</p>',
      },
      contact: { firstName: 'Sarah', lastName: 'Chen', company: 'Acme Corp', email: 'sarah@acme.com' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      subject: 'Quick question about Acme Corp',
      bodyHtml: '<p>Hi Sarah,</p><p>I noticed Acme Corp is growing fast...</p>',
      bodyText: 'Hi Sarah,\n\nI noticed Acme Corp is growing fast...',
      missingVariables: [],
    });
  });

  it('escapes values in bodyHtml only, strips CR/LF from subjects, renders fallbacks', async () => {
    const res = await preview({
      step: {
        subject: 'For {{company}} — {{firstName|there}}',
        bodyHtml: '<p>Hi {{firstName|there}}, {{company}}</p>',
        bodyText: 'Hi {{firstName|there}}, {{company}}',
      },
      contact: { firstName: '', company: 'A&B <Tools>\r\nBcc: evil@example.com' },
    });
    expect(res.body.subject).toBe('For A&B <Tools> Bcc: evil@example.com — there');
    expect(res.body.bodyHtml).toBe('<p>Hi there, A&amp;B &lt;Tools&gt;\r\nBcc: evil@example.com</p>');
    expect(res.body.bodyText).toBe('Hi there, A&B <Tools>\r\nBcc: evil@example.com');
    expect(res.body.missingVariables).toEqual([]);
  });

  it('lists missing variables, uses custom fields and the sender, never re-renders a value', async () => {
    const res = await preview({
      step: {
        subject: '{{firstName}} at {{company}}',
        bodyHtml: '<p>{{title}} in {{industry}}</p>{{senderSignature}}',
        bodyText: '{{senderFirstName}} {{senderLastName}} <{{senderEmail}}> {{unsubscribeUrl}}',
      },
      contact: { firstName: '{{secret}}', email: 'x@example.com', industry: 'SaaS', secret: 'leaked' },
      sender: { firstName: 'Alex', lastName: 'Kim', email: 'alex@sender.test', signatureHtml: '<b>Alex</b>' },
    });
    expect(res.body.subject).toBe('{{secret}} at');
    expect(res.body.bodyHtml).toBe('<p> in SaaS</p><b>Alex</b>');
    expect(res.body.bodyText).toBe('Alex Kim <alex@sender.test> http://localhost:8080/u/preview');
    expect(res.body.missingVariables).toEqual(['company', 'title']);
  });

  it('derives bodyText from the rendered HTML when absent', async () => {
    const res = await preview({
      step: { subject: 's', bodyHtml: '<p>Hi {{firstName}}</p><p>Bye</p>' },
      contact: { firstName: 'Bo' },
    });
    expect(res.body.bodyText).toBe('Hi Bo\n\nBye');
  });

  it('422 for a broken template or a missing field', async () => {
    const broken = await preview({ step: { subject: 'ok', bodyHtml: '<p>{{#x}}</p>' }, contact: {} });
    expectProblem(broken, 422, 'validation_failed', 'step.bodyHtml');
    const brokenSubject = await preview({ step: { subject: '{{x', bodyHtml: 'b' }, contact: {} });
    expectProblem(brokenSubject, 422, 'validation_failed', 'step.subject');
    expectProblem(
      await preview({ step: { bodyHtml: 'b' }, contact: {} }),
      422,
      'validation_failed',
      'step.subject',
    );
    expectProblem(
      await preview({ step: { subject: 's', bodyHtml: 'b' } }),
      422,
      'validation_failed',
      'contact',
    );
  });
});
