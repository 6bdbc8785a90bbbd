import { describe, expect, it } from 'vitest';
import {
  renderStep,
  TemplateError,
  templateVariables,
  templateVars,
  unresolvedVariables,
  validateTemplate,
} from '../../src/domain/template';

const sarah = templateVars({
  firstName: 'Sarah',
  lastName: 'Chen',
  email: 'sarah@acme.com',
  customJson: { company: 'Acme Corp', title: 'VP Sales' },
});

describe('renderStep: seed examples', () => {
  it('renders the seed preview request exactly', () => {
    // POST /campaigns/steps/preview from the seed: contact fields at the top level.
    const out = renderStep(
      {
        subject: 'Quick question about {{company}}',
        bodyHtml: '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast...</p>',
      },
      templateVars({ firstName: 'Sarah', lastName: 'Chen', company: 'Acme Corp', email: 'sarah@acme.com' }),
    );
    expect(out.subject).toBe('Quick question about Acme Corp');
    expect(out.bodyHtml).toBe('<p>Hi Sarah,</p><p>I noticed Acme Corp is growing fast...</p>');
    expect(out.bodyText).toBe('Hi Sarah,\n\nI noticed Acme Corp is growing fast...');
    expect(out.missingVariables).toEqual([]);
  });

  it('renders the seed step 1 with a sender', () => {
    const vars = templateVars(
      { email: 'sarah@acme.com', firstName: 'Sarah', lastName: 'Chen', customJson: { company: 'Acme Corp' } },
      { firstName: 'John', lastName: 'Doe', email: 'john@cooloutreach.com' },
    );
    const out = renderStep(
      {
        subject: 'Quick question about {{company}}',
        bodyHtml:
          '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast. We help companies like yours with...</p><p>Would you be open to a quick chat?</p><p>Best,<br/>{{senderFirstName}}</p>',
        bodyText:
          'Hi {{firstName}},\n\nI noticed {{company}} is growing fast. We help companies like yours with...\n\nWould you be open to a quick chat?\n\nBest,\n{{senderFirstName}}',
      },
      vars,
    );
    expect(out.bodyHtml).toBe(
      '<p>Hi Sarah,</p><p>I noticed Acme Corp is growing fast. We help companies like yours with...</p><p>Would you be open to a quick chat?</p><p>Best,<br/>John</p>',
    );
    expect(out.bodyText).toBe(
      'Hi Sarah,\n\nI noticed Acme Corp is growing fast. We help companies like yours with...\n\nWould you be open to a quick chat?\n\nBest,\nJohn',
    );
    expect(out.missingVariables).toEqual([]);
  });

  it('derives bodyText from the rendered bodyHtml when absent or blank', () => {
    const step = { subject: 'x', bodyHtml: '<p>Hi {{firstName}},</p><p>Best,<br/>{{company}}</p>' };
    expect(renderStep(step, sarah).bodyText).toBe('Hi Sarah,\n\nBest,\nAcme Corp');
    expect(renderStep({ ...step, bodyText: null }, sarah).bodyText).toBe('Hi Sarah,\n\nBest,\nAcme Corp');
    expect(renderStep({ ...step, bodyText: '  ' }, sarah).bodyText).toBe('Hi Sarah,\n\nBest,\nAcme Corp');
  });
});

describe('renderStep: escaping', () => {
  const evil = templateVars({
    email: 'x@y.z',
    firstName: '<script>alert("x")</script>',
    customJson: { company: 'Smith & Sons <b>', note: "O'Brien" },
  });

  it('escapes values in bodyHtml for every tag type', () => {
    const out = renderStep(
      { subject: 's', bodyHtml: '<p>{{firstName}}|{{{firstName}}}|{{& firstName}}|{{company}}|{{note}}</p>' },
      evil,
    );
    const esc = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
    expect(out.bodyHtml).toBe(`<p>${esc}|${esc}|${esc}|Smith &amp; Sons &lt;b&gt;|O&#39;Brien</p>`);
    expect(out.bodyText).toBe(
      '<script>alert("x")</script>|<script>alert("x")</script>|<script>alert("x")</script>|Smith & Sons <b>|O\'Brien',
    );
  });

  it('never escapes in subject and bodyText', () => {
    const out = renderStep(
      { subject: 'For {{company}} & {{{note}}}', bodyHtml: '<p>x</p>', bodyText: '{{company}} {{&note}}' },
      evil,
    );
    expect(out.subject).toBe("For Smith & Sons <b> & O'Brien");
    expect(out.bodyText).toBe("Smith & Sons <b> O'Brien");
  });

  it('keeps URLs readable in attributes', () => {
    const vars = templateVars({ email: 'a@b.c' }, undefined, {
      unsubscribeUrl: 'https://out.example.com/u/abc?x=1&y=2',
    });
    expect(
      renderStep({ subject: 's', bodyHtml: '<a href="{{unsubscribeUrl}}">unsubscribe</a>' }, vars).bodyHtml,
    ).toBe('<a href="https://out.example.com/u/abc?x=1&amp;y=2">unsubscribe</a>');
  });

  it('does not re-render values (template injection)', () => {
    const vars = { firstName: '{{secret}} {{#a}}x{{/a}} {{> p}}', secret: 'TOPSECRET', a: true };
    const out = renderStep(
      { subject: 'Hi {{firstName}}', bodyHtml: '<p>{{{firstName}}}</p>', bodyText: '{{firstName}}' },
      vars,
    );
    expect(out.subject).toBe('Hi {{secret}} {{#a}}x{{/a}} {{> p}}');
    expect(out.bodyHtml).toBe('<p>{{secret}} {{#a}}x{{/a}} {{&gt; p}}</p>');
    expect(out.bodyText).toBe('{{secret}} {{#a}}x{{/a}} {{> p}}');
    expect(JSON.stringify(out)).not.toContain('TOPSECRET');
  });
});

describe('renderStep: subject', () => {
  it('strips CR/LF from the rendered subject', () => {
    const vars = { company: 'Acme\r\nBcc: victim@x.com', firstName: '\nSarah\n' };
    const out = renderStep({ subject: 'About {{company}}\n for {{firstName}}\r\n', bodyHtml: '' }, vars);
    expect(out.subject).toBe('About Acme Bcc: victim@x.com for Sarah');
    expect(out.subject).not.toMatch(/[\r\n]/);
  });
});

describe('renderStep: fallbacks and missing variables', () => {
  it('renders the fallback when the value is missing or empty', () => {
    const step = {
      subject: 'Hi {{firstName|there}}',
      bodyHtml: '<p>Hi {{ firstName | there }}, {{title|friend}}</p>',
    };
    expect(renderStep(step, templateVars({ email: 'a@b.c' }))).toEqual({
      subject: 'Hi there',
      bodyHtml: '<p>Hi there, friend</p>',
      bodyText: 'Hi there, friend',
      missingVariables: [],
    });
    expect(renderStep(step, { firstName: '', title: '   ' }).subject).toBe('Hi there');
    expect(renderStep(step, { firstName: null }).subject).toBe('Hi there');
    expect(renderStep(step, sarah).bodyHtml).toBe('<p>Hi Sarah, VP Sales</p>');
  });

  it('supports fallbacks in triple and ampersand tags and empty fallbacks', () => {
    const out = renderStep({ subject: '{{{a|x}}}{{&b | y}}{{c|}}', bodyHtml: '' }, {});
    expect(out.subject).toBe('xy');
    expect(out.missingVariables).toEqual([]);
  });

  it('lists missing variables without fallback, sorted and unique, across all fields', () => {
    const out = renderStep(
      {
        subject: '{{company}} / {{firstName|there}}',
        bodyHtml: '<p>{{lastName}} {{company}} {{zeta}}</p>',
        bodyText: '{{alpha}} {{lastName}}',
      },
      { firstName: '' },
    );
    expect(out.missingVariables).toEqual(['alpha', 'company', 'lastName', 'zeta']);
    expect(out.subject).toBe('/ there');
    expect(out.bodyHtml).toBe('<p>  </p>');
  });

  it('counts missing variables of a derived bodyText once', () => {
    expect(renderStep({ subject: '', bodyHtml: '<p>{{x}}</p>' }, {}).missingVariables).toEqual(['x']);
  });
});

describe('renderStep: sections', () => {
  const step = {
    subject: '{{#company}}Idea for {{company}}{{/company}}{{^company}}An idea{{/company}}',
    bodyHtml: '<p>Hi{{#firstName}} {{firstName}}{{/firstName}},</p>',
  };

  it('renders sections when the value is present', () => {
    const out = renderStep(step, sarah);
    expect(out.subject).toBe('Idea for Acme Corp');
    expect(out.bodyHtml).toBe('<p>Hi Sarah,</p>');
    expect(out.missingVariables).toEqual([]);
  });

  it('renders inverted sections when the value is missing or blank, and reports nothing missing', () => {
    for (const vars of [{}, { company: '', firstName: ' ' }]) {
      const out = renderStep(step, vars);
      expect(out.subject).toBe('An idea');
      expect(out.bodyHtml).toBe('<p>Hi,</p>');
      expect(out.missingVariables).toEqual([]);
    }
  });

  it('iterates over lists and objects from custom fields, escaping in HTML', () => {
    const vars = templateVars({
      email: 'a@b.c',
      customJson: { tools: ['Slack', '<Jira>'], address: { city: 'Berlin' } },
    });
    const out = renderStep(
      {
        subject: '{{tools}}',
        bodyHtml:
          '<ul>{{#tools}}<li>{{.}}</li>{{/tools}}</ul>{{#address}}<p>{{city}}</p>{{/address}}{{address.city}}',
      },
      vars,
    );
    expect(out.subject).toBe('Slack, <Jira>');
    expect(out.bodyHtml).toBe('<ul><li>Slack</li><li>&lt;Jira&gt;</li></ul><p>Berlin</p>Berlin');
  });

  it('ignores comments and supports delimiter changes', () => {
    expect(
      renderStep({ subject: 'a{{! note }}b{{=<% %>=}}<% firstName %>', bodyHtml: '' }, sarah).subject,
    ).toBe('abSarah');
  });
});

describe('renderStep: senderSignature', () => {
  const signatureHtml = '<p>John Doe<br>CEO, <a href="https://cooloutreach.com">Cool Outreach</a></p>';
  const vars = templateVars(
    { email: 'sarah@acme.com', firstName: 'Sarah' },
    { firstName: 'John', lastName: 'Doe', email: 'john@cooloutreach.com', signatureHtml },
  );

  it('is trusted HTML in bodyHtml and text in bodyText', () => {
    const out = renderStep(
      {
        subject: 'Hi',
        bodyHtml: '<p>Hi {{firstName}},</p>{{senderSignature}}',
        bodyText: 'Hi {{firstName}},\n\n{{{senderSignature}}}',
      },
      vars,
    );
    expect(out.bodyHtml).toBe(`<p>Hi Sarah,</p>${signatureHtml}`);
    expect(out.bodyText).toBe('Hi Sarah,\n\nJohn Doe\nCEO, Cool Outreach (https://cooloutreach.com)');
  });

  it('derived bodyText contains the signature text', () => {
    const out = renderStep({ subject: 'Hi', bodyHtml: '<p>Hi,</p>{{senderSignature}}' }, vars);
    expect(out.bodyText).toBe('Hi,\n\nJohn Doe\nCEO, Cool Outreach (https://cooloutreach.com)');
  });

  it('cannot be set by a contact custom field', () => {
    const v = templateVars({
      email: 'a@b.c',
      customJson: {
        senderSignature: '<img src=x onerror=alert(1)>',
        unsubscribeUrl: 'https://evil',
        senderEmail: 'x',
      },
    });
    expect(v.senderSignature).toBeUndefined();
    expect(v.unsubscribeUrl).toBeUndefined();
    expect(v.senderEmail).toBeUndefined();
    const out = renderStep({ subject: '', bodyHtml: '{{senderSignature}}' }, v);
    expect(out.bodyHtml).toBe('');
    expect(out.missingVariables).toEqual(['senderSignature']);
  });

  it('is only trusted at the top level of the variables', () => {
    const out = renderStep(
      { subject: '', bodyHtml: '{{#nested}}{{senderSignature}}{{/nested}}' },
      { nested: { senderSignature: '<b>x</b>' } },
    );
    expect(out.bodyHtml).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('templateVars', () => {
  it('flattens customJson and sets contact, sender and extra variables', () => {
    const v = templateVars(
      {
        email: 'sarah@acme.com',
        firstName: 'Sarah',
        lastName: 'Chen',
        customJson: { company: 'Acme Corp', title: 'VP Sales', 'Team Size': 40, industry: 'SaaS' },
      },
      { firstName: 'John', lastName: 'Doe', email: 'john@cooloutreach.com', signatureHtml: '<p>J</p>' },
      { unsubscribeUrl: 'https://o.example/u/t' },
    );
    expect(v).toEqual({
      email: 'sarah@acme.com',
      firstName: 'Sarah',
      lastName: 'Chen',
      company: 'Acme Corp',
      title: 'VP Sales',
      'Team Size': 40,
      industry: 'SaaS',
      senderFirstName: 'John',
      senderLastName: 'Doe',
      senderEmail: 'john@cooloutreach.com',
      senderSignature: '<p>J</p>',
      unsubscribeUrl: 'https://o.example/u/t',
    });
    expect(renderStep({ subject: '{{Team Size}} at {{industry}}', bodyHtml: '' }, v).subject).toBe(
      '40 at SaaS',
    );
  });

  it('prefers non-blank top-level fields over customJson', () => {
    const v = templateVars({
      email: 'a@b.c',
      firstName: '',
      company: 'Top Co',
      customJson: { firstName: 'FromCsv', company: 'Csv Co' },
    });
    expect(v.firstName).toBe('FromCsv');
    expect(v.company).toBe('Top Co');
  });

  it('leaves missing values out and ignores __proto__ keys', () => {
    const v = templateVars({
      email: 'a@b.c',
      customJson: JSON.parse('{"__proto__": {"polluted": 1}, "x": 1}'),
    });
    expect(v).toEqual({ email: 'a@b.c', x: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe('template errors and validation', () => {
  it('throws a TemplateError naming the field', () => {
    const broken = [
      [{ subject: 'Hi {{#x}}', bodyHtml: '' }, 'subject'],
      [{ subject: 'ok', bodyHtml: '<p>{{#company}}x</p>' }, 'bodyHtml'],
      [{ subject: 'ok', bodyHtml: '', bodyText: 'Hi {{firstName' }, 'bodyText'],
      [{ subject: 'ok', bodyHtml: '{{/x}}' }, 'bodyHtml'],
    ] as const;
    for (const [step, field] of broken) {
      let err: unknown;
      try {
        renderStep(step, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).field).toBe(field);
      expect((err as TemplateError).message).toContain(field);
    }
  });

  it('validateTemplate reports every broken field', () => {
    expect(validateTemplate({ subject: 'ok {{firstName}}', bodyHtml: '<p>{{company}}</p>' })).toEqual([]);
    const issues = validateTemplate({
      subject: '{{#a}}',
      bodyHtml: '{{> partial}}',
      bodyText: '{{#a|b}}{{/a|b}}',
    });
    expect(issues.map((i) => i.path)).toEqual(['subject', 'bodyHtml', 'bodyText']);
    expect(issues[0]?.message).toMatch(/subject.*Unclosed section "a"/);
    expect(issues[1]?.message).toMatch(/bodyHtml.*partials/);
    expect(issues[2]?.message).toMatch(/bodyText.*fallback/);
    expect(validateTemplate({ subject: '{{}}', bodyHtml: '{{ |x}}' }).map((i) => i.path)).toEqual([
      'subject',
      'bodyHtml',
    ]);
  });

  it('validateTemplate skips absent and non-string fields (partial updates)', () => {
    expect(validateTemplate({ subject: 'Hi {{x}}' })).toEqual([]);
    expect(validateTemplate({ bodyHtml: 42, bodyText: null })).toEqual([]);
  });
});

describe('templateVariables', () => {
  it('lists every variable a step uses with whether a missing value is covered', () => {
    expect(
      templateVariables({
        subject: 'Quick question about {{company}}',
        bodyHtml:
          '<p>Hi {{firstName|there}},</p>{{#title}}<p>As {{title}}</p>{{/title}}{{{senderSignature}}}<a href="{{unsubscribeUrl}}">x</a>',
        bodyText: '{{lastName}} {{company|your team}} {{#tools}}{{.}}{{/tools}}',
      }),
    ).toEqual([
      { name: 'company', hasFallback: false },
      { name: 'firstName', hasFallback: true },
      { name: 'lastName', hasFallback: false },
      { name: 'senderSignature', hasFallback: false },
      { name: 'title', hasFallback: true },
      { name: 'tools', hasFallback: true },
      { name: 'unsubscribeUrl', hasFallback: false },
    ]);
  });

  it('throws a TemplateError for a broken template', () => {
    expect(() => templateVariables({ subject: '{{#x}}', bodyHtml: '' })).toThrow(TemplateError);
  });

  it('unresolvedVariables matches renderStep', () => {
    const step = {
      subject: '{{company}} {{firstName|there}}',
      bodyHtml: '<p>{{lastName}}{{#title}}{{title}}{{/title}}</p>',
    };
    const vars = templateVars({ email: 'a@b.c', firstName: 'A', customJson: { company: 'Acme' } });
    expect(unresolvedVariables(templateVariables(step), vars)).toEqual(['lastName']);
    expect(renderStep(step, vars).missingVariables).toEqual(['lastName']);
  });
});
