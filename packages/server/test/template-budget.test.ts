import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, makeTestApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const nested = (depth: number, inner = 'x') => `${'{{#a}}'.repeat(depth)}${inner}${'{{/a}}'.repeat(depth)}`;
/** The adversarial probe's 303-byte body: `{{#a}}` six deep over 35 items (35^6 renders). */
const ATTACK = {
  step: { subject: 'x', bodyHtml: nested(6) },
  contact: { a: Array.from({ length: 35 }, (_, i) => i) },
};

/** Runs `f` while a 1 ms ticker measures the longest the event loop was held. */
async function withLoopWatch<T>(f: () => Promise<T>): Promise<{ value: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 1);
  try {
    const value = await f();
    return { value, maxGapMs: Math.max(maxGapMs, performance.now() - last) };
  } finally {
    clearInterval(ticker);
  }
}

describe('template budget in the API', () => {
  it('answers the 303-byte attack with 422 template_too_complex at once; /health stays responsive', async () => {
    expect(JSON.stringify(ATTACK).length).toBeLessThan(320);
    // Warm up (first request compiles the route's validators), then measure.
    await t.a.req('POST', '/campaigns/steps/preview', { body: ATTACK });
    const { value, maxGapMs } = await withLoopWatch(async () => {
      const started = performance.now();
      const [preview, health] = await Promise.all([
        t.a.req('POST', '/campaigns/steps/preview', { body: ATTACK }),
        (async () => {
          const res = await t.a.req('GET', '/health', { workspace: false });
          return { res, ms: performance.now() - started };
        })(),
      ]);
      return { preview, health };
    });
    expectProblem(value.preview, 422, 'template_too_complex', 'step.bodyHtml');
    expect(value.health.res.status).toBe(200);
    console.log(
      `attack preview: event loop held at most ${maxGapMs.toFixed(1)} ms; /health in ${value.health.ms.toFixed(1)} ms`,
    );
    // Before the budget: 21 s. The budget costs a few ms; the bound is loose for a loaded machine.
    expect(maxGapMs).toBeLessThan(500);
    expect(value.health.ms).toBeLessThan(1000);
  });

  it('names the field: subject and bodyText too', async () => {
    const res = await t.a.req('POST', '/campaigns/steps/preview', {
      body: {
        step: { subject: nested(4), bodyHtml: 'ok' },
        contact: { a: Array.from({ length: 40 }, () => 1) },
      },
    });
    expectProblem(res, 422, 'template_too_complex', 'step.subject');
    const res2 = await t.a.req('POST', '/campaigns/steps/preview', {
      body: { step: { subject: 's', bodyHtml: 'ok', bodyText: nested(9) }, contact: {} },
    });
    expectProblem(res2, 422, 'template_too_complex', 'step.bodyText');
  });

  it('still renders a template with sections within the budget', async () => {
    const res = await t.a.req('POST', '/campaigns/steps/preview', {
      body: { step: { subject: 'Hi', bodyHtml: nested(3, '{{.}}') }, contact: { a: ['x', 'y'] } },
    });
    expect(res.status).toBe(200);
    // `.` is the innermost item: x/y at each of 3 levels → 8 leaves.
    expect(res.body.bodyHtml).toBe('xyxyxyxy');
  });

  it('refuses to save a step or variant whose sections nest too deep (create and patch)', async () => {
    const cmp = await t.a.req('POST', '/campaigns', { body: { name: 'budget' } });
    const id = cmp.body.id as string;
    const deep = nested(9);
    let res = await t.a.req('POST', `/campaigns/${id}/steps`, {
      body: { order: 1, subject: 's', bodyHtml: deep },
    });
    expectProblem(res, 422, 'template_too_complex', 'bodyHtml');
    res = await t.a.req('POST', `/campaigns/${id}/steps`, {
      body: { order: 1, subject: 's', bodyHtml: 'b', variants: [{ subject: deep, weight: 1 }] },
    });
    expectProblem(res, 422, 'template_too_complex', 'variants.0.subject');
    res = await t.a.req('POST', `/campaigns/${id}/steps`, {
      body: { order: 1, subject: 's', bodyHtml: nested(8) },
    });
    expect(res.status).toBe(201);
    const stepId = res.body.id as string;
    res = await t.a.req('PATCH', `/campaigns/steps/${stepId}`, { body: { bodyText: deep } });
    expectProblem(res, 422, 'template_too_complex', 'bodyText');
    res = await t.a.req('PATCH', `/campaigns/steps/${stepId}`, {
      body: { variants: [{ bodyHtml: deep, weight: 1 }] },
    });
    expectProblem(res, 422, 'template_too_complex', 'variants.0.bodyHtml');
  });
});
