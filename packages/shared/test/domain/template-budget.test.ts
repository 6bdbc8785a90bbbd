import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  renderStep,
  TEMPLATE_LIMITS,
  TemplateError,
  TemplateTooComplexError,
  validateTemplate,
} from '../../src/domain/template';

/** `{{#a}}` `depth` deep around `inner` (the shape of the 303-byte attack). */
const nested = (depth: number, inner = 'x', name = 'a') =>
  `${`{{#${name}}}`.repeat(depth)}${inner}${`{{/${name}}}`.repeat(depth)}`;
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));

function timed<T>(f: () => T): { ms: number; value?: T; error?: unknown } {
  const started = performance.now();
  try {
    const value = f();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe('template budget', () => {
  it('stops nested sections over a list while rendering (35^6 items) with the typed error', () => {
    const r = timed(() => renderStep({ subject: 's', bodyHtml: nested(6) }, { a: items(35) }));
    expect(r.error).toBeInstanceOf(TemplateTooComplexError);
    const err = r.error as TemplateTooComplexError;
    expect(err.field).toBe('bodyHtml');
    expect(err.code).toBe('template_too_complex');
    expect(err.message).toMatch(/^template_too_complex: bodyHtml /);
    // It stops at the step budget, long before 35^6 (1.8e9) iterations: milliseconds.
    expect(r.ms).toBeLessThan(1000);
  });

  it('names the field that ran over (subject, bodyText)', () => {
    for (const field of ['subject', 'bodyText'] as const) {
      const step = { subject: 's', bodyHtml: 'h', bodyText: 't', [field]: nested(4) };
      expect(() => renderStep(step, { a: items(40) })).toThrow(
        expect.objectContaining({ field, code: 'template_too_complex' }),
      );
    }
  });

  it('counts across fields: the budget is per render, not per field', () => {
    // Each field alone stays under the budget; together they do not.
    const perField = Math.floor(TEMPLATE_LIMITS.maxSteps / 4);
    const step = { subject: nested(1), bodyHtml: nested(1), bodyText: nested(1) };
    const vars = { a: items(perField) };
    expect(() => renderStep({ subject: 's', bodyHtml: nested(1) }, vars)).not.toThrow();
    expect(() => renderStep(step, vars)).toThrow(TemplateTooComplexError);
  });

  it('counts array elements read by a variable (a long list printed in a long list)', () => {
    const list = Array.from({ length: 5_000 }, (_, i) => `v${i}`);
    expect(() => renderStep({ subject: 's', bodyHtml: '{{#a}}{{a}}{{/a}}' }, { a: list })).toThrow(
      TemplateTooComplexError,
    );
  });

  it('caps the output', () => {
    const big = 'x'.repeat(TEMPLATE_LIMITS.maxOutput / 2 + 1);
    expect(() => renderStep({ subject: 's', bodyHtml: '{{v}}{{v}}' }, { v: big })).toThrow(
      expect.objectContaining({ field: 'bodyHtml', code: 'template_too_complex' }),
    );
    expect(renderStep({ subject: 's', bodyHtml: '{{v}}' }, { v: big }).bodyHtml).toHaveLength(big.length);
  });

  it('refuses sections nested deeper than maxDepth when compiling (saving a step catches it)', () => {
    const ok = nested(TEMPLATE_LIMITS.maxDepth);
    const deep = nested(TEMPLATE_LIMITS.maxDepth + 1);
    expect(validateTemplate({ bodyHtml: ok })).toEqual([]);
    const issues = validateTemplate({ subject: 'fine', bodyHtml: deep });
    expect(issues).toEqual([
      { path: 'bodyHtml', code: 'template_too_complex', message: expect.stringMatching(/more than 8 deep/) },
    ]);
    expect(() => renderStep({ subject: 's', bodyHtml: deep }, {})).toThrow(TemplateTooComplexError);
    // A malformed template is still a plain TemplateError, without the code.
    expect(validateTemplate({ bodyHtml: '{{#a}}' })[0]?.code).toBeUndefined();
  });

  it('renders ordinary templates with sections as before', () => {
    const r = renderStep(
      { subject: 'Hi {{firstName}}', bodyHtml: '{{#items}}<li>{{name}}</li>{{/items}}{{^none}}!{{/none}}' },
      { firstName: 'Ann', items: [{ name: 'a' }, { name: '<b>' }] },
    );
    expect(r.bodyHtml).toBe('<li>a</li><li>&lt;b&gt;</li>!');
  });
});

// Random section trees over random data: a render either finishes or throws the typed error,
// and either way within a bounded time (the budget is what bounds it, whatever the shape).
type Tpl =
  | { kind: 'text' }
  | { kind: 'var'; name: string }
  | { kind: 'sec'; name: string; inv: boolean; kids: Tpl[] };
const names = fc.constantFrom('a', 'b', 'c', '.');
const tplArb: fc.Arbitrary<Tpl[]> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Tpl>({ kind: 'text' }),
    names.map<Tpl>((name) => ({ kind: 'var', name })),
    fc.record({
      kind: fc.constant('sec' as const),
      name: fc.constantFrom('a', 'b', 'c'),
      inv: fc.boolean(),
      kids: tie('list') as fc.Arbitrary<Tpl[]>,
    }),
  ),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).list as fc.Arbitrary<Tpl[]>;

const source = (nodes: Tpl[]): string =>
  nodes
    .map((n) =>
      n.kind === 'text'
        ? 'txt '
        : n.kind === 'var'
          ? `{{${n.name}}}`
          : `{{${n.inv ? '^' : '#'}${n.name}}}${source(n.kids)}{{/${n.name}}}`,
    )
    .join('');

const valueArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 500 }).map((n) => Array.from({ length: n }, (_, i) => `i${i}`)),
  fc.integer({ min: 1, max: 200 }).map((n) => items(n)),
  fc.boolean(),
);

describe('template budget (property)', () => {
  it('random nested templates over random data render or throw template_too_complex, quickly', () => {
    let slowest = 0;
    fc.assert(
      fc.property(
        tplArb,
        fc.integer({ min: 0, max: 12 }),
        fc.record({ a: valueArb, b: valueArb, c: valueArb }),
        (tree, wrap, vars) => {
          // Wrap in `wrap` more `{{#a}}` levels so deep shapes are common.
          const bodyHtml = nested(wrap, source(tree));
          const r = timed(() => renderStep({ subject: source(tree), bodyHtml }, vars));
          slowest = Math.max(slowest, r.ms);
          if (r.error !== undefined) {
            expect(r.error).toBeInstanceOf(TemplateError);
            expect(r.error).toBeInstanceOf(TemplateTooComplexError);
          }
          // Generous for a loaded 2-core machine; without the budget these shapes take minutes.
          expect(r.ms).toBeLessThan(1000);
        },
      ),
      { seed: 20261201, numRuns: 200 },
    );
    console.log(`template budget property: slowest render ${slowest.toFixed(1)} ms`);
  });
});
