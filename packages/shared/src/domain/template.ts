/**
 * Step template rendering (Mustache syntax, pure, no I/O).
 *
 * Templates are parsed with Mustache's parser and rendered by a small interpreter of our own, so that:
 * - every value is HTML-escaped in `bodyHtml`, whatever the tag type (`{{x}}`, `{{{x}}}`, `{{&x}}`): a
 *   contact's value can never inject markup. Only `{{senderSignature}}` (HTML written by the mailbox
 *   owner) is output as HTML in `bodyHtml`; in `subject`/`bodyText` its text is used (via htmlToText).
 * - values are never escaped in `subject`/`bodyText`, and never re-rendered (a value containing
 *   `{{secret}}` comes out literally); lambdas and partials are not supported.
 * - `{{name|fallback}}` (spaces around `|` allowed) renders `fallback` when the value is missing or blank.
 * - sections `{{#x}}…{{/x}}` and inverted sections `{{^x}}…{{/x}}` work as in Mustache (blank strings
 *   count as false), and so do comments and delimiter changes.
 * - a render has a budget ({@link TEMPLATE_LIMITS}): sections nest at most `maxDepth` deep (checked when
 *   compiling, so saving a step catches it), and one render visits at most `maxSteps` nodes, items and
 *   array elements and writes at most `maxOutput` characters, counted while rendering (nested sections
 *   over arrays grow as n^depth: the count stops them before the work is done, not after).
 */
import Mustache from 'mustache';
import { htmlToText } from './html-text';

export type TemplateField = 'subject' | 'bodyHtml' | 'bodyText';

export interface StepTemplate {
  subject: string;
  bodyHtml: string;
  bodyText?: string | null;
}

export interface RenderedStep {
  subject: string;
  bodyHtml: string;
  bodyText: string;
  /** Variables used by the rendered templates whose value is missing/blank and that have no fallback. */
  missingVariables: string[];
}

export interface TemplateVariable {
  name: string;
  /**
   * True when a missing value is harmless: every use has a `|fallback`, is a section name
   * (`{{#x}}`/`{{^x}}`), or sits inside a `{{#x}}…{{/x}}` section of the same name.
   */
  hasFallback: boolean;
}

export interface TemplateIssue {
  path: TemplateField;
  message: string;
  /** set when the template is over the budget rather than malformed. */
  code?: typeof TEMPLATE_TOO_COMPLEX;
}

/** What one render may cost: a few ms of CPU at most (the event loop is shared by every tenant). */
export const TEMPLATE_LIMITS = {
  /** sections inside sections. */
  maxDepth: 8,
  /** nodes visited + section items + array elements read, over all fields of one render. */
  maxSteps: 100_000,
  /** characters written, over all fields of one render. */
  maxOutput: 500_000,
} as const;

export const TEMPLATE_TOO_COMPLEX = 'template_too_complex';

export type TemplateVars = Record<string, unknown>;

/** A template that Mustache cannot parse, or that uses an unsupported feature. `field` names the template. */
export class TemplateError extends Error {
  readonly field: TemplateField;
  readonly detail: string;
  constructor(field: TemplateField, detail: string, message = `Invalid template in ${field}: ${detail}`) {
    super(message);
    this.name = 'TemplateError';
    this.field = field;
    this.detail = detail;
  }
}

/** A template over {@link TEMPLATE_LIMITS} (too deep, or its render would cost too much). */
export class TemplateTooComplexError extends TemplateError {
  readonly code = TEMPLATE_TOO_COMPLEX;
  constructor(field: TemplateField, detail: string) {
    super(field, detail, `${TEMPLATE_TOO_COMPLEX}: ${field} ${detail}`);
    this.name = 'TemplateTooComplexError';
  }
}

/** Variables whose value is trusted HTML (provided by the mailbox owner, not by contacts). */
const TRUSTED_HTML_VARS = new Set(['senderSignature']);
/** Keys that only the sender/system may set: contact custom fields never override them. */
const RESERVED_VARS = [
  'senderFirstName',
  'senderLastName',
  'senderEmail',
  'senderSignature',
  'unsubscribeUrl',
];

// ---------------------------------------------------------------------------------------------------------
// Compilation

type Node =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'var'; readonly name: string; readonly fallback: string | undefined }
  | { readonly t: 'section'; readonly name: string; readonly inverted: boolean; readonly children: Node[] };

class CompileError extends Error {}
class DepthError extends Error {}

// Private writer without Mustache's unbounded global parse cache; we keep a small LRU of our own.
const writer = new Mustache.Writer();
(writer as unknown as { templateCache: unknown }).templateCache = undefined;
const TAGS: [string, string] = ['{{', '}}'];
const CACHE_MAX = 256;
const cache = new Map<string, Node[]>();

function splitFallback(raw: string): { name: string; fallback: string | undefined } {
  const bar = raw.indexOf('|');
  if (bar < 0) return { name: raw.trim(), fallback: undefined };
  return { name: raw.slice(0, bar).trim(), fallback: raw.slice(bar + 1).trim() };
}

function convert(tokens: unknown[], depth = 0): Node[] {
  const nodes: Node[] = [];
  for (const tok of tokens) {
    const token = tok as [string, string, number, number, unknown[]?];
    const [type, value, start] = token;
    switch (type) {
      case 'text':
        nodes.push({ t: 'text', v: value });
        break;
      case 'name':
      case '&': {
        const { name, fallback } = splitFallback(value);
        if (!name) throw new CompileError(`empty variable name at ${start}`);
        nodes.push({ t: 'var', name, fallback });
        break;
      }
      case '#':
      case '^': {
        const name = value.trim();
        if (!name) throw new CompileError(`empty section name at ${start}`);
        if (name.includes('|')) {
          throw new CompileError(
            `a fallback ("|") is only allowed in variable tags, not in section "${name}"`,
          );
        }
        if (depth + 1 > TEMPLATE_LIMITS.maxDepth)
          throw new DepthError(`nests sections more than ${TEMPLATE_LIMITS.maxDepth} deep (at ${start})`);
        nodes.push({
          t: 'section',
          name,
          inverted: type === '^',
          children: convert(token[4] ?? [], depth + 1),
        });
        break;
      }
      case '>':
        throw new CompileError(`partials ({{> ${value}}}) are not supported (at ${start})`);
      default:
        // '!' comments and '=' delimiter changes produce no output.
        break;
    }
  }
  return nodes;
}

function compile(template: string, field: TemplateField): Node[] {
  const hit = cache.get(template);
  if (hit) {
    cache.delete(template);
    cache.set(template, hit);
    return hit;
  }
  let nodes: Node[];
  try {
    nodes = convert(writer.parse(template, TAGS) as unknown[]);
  } catch (err) {
    if (err instanceof DepthError) throw new TemplateTooComplexError(field, err.message);
    throw new TemplateError(field, err instanceof Error ? err.message : String(err));
  }
  cache.set(template, nodes);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------------------
// Values

const hasOwn = (o: object, k: string) => Object.hasOwn(o, k);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

interface Lookup {
  value: unknown;
  fromRoot: boolean;
}

/** Mustache-style lookup through the context stack (own properties only); `a.b` walks objects. */
function lookup(name: string, stack: readonly unknown[]): Lookup {
  if (name === '.') return { value: stack[stack.length - 1], fromRoot: false };
  const dot = name.indexOf('.');
  const head = dot > 0 ? name.slice(0, dot) : null;
  for (let i = stack.length - 1; i >= 0; i--) {
    const ctx = stack[i];
    if (!isObject(ctx)) continue;
    if (hasOwn(ctx, name)) return { value: ctx[name], fromRoot: i === 0 };
    if (head !== null && hasOwn(ctx, head)) {
      let v: unknown = ctx;
      for (const part of name.split('.')) {
        v = isObject(v) && hasOwn(v, part) ? v[part] : undefined;
        if (v === undefined) break;
      }
      return { value: v, fromRoot: i === 0 };
    }
  }
  return { value: undefined, fromRoot: false };
}

/** The work one render has left; `charge` throws once it is spent. */
class Budget {
  steps = 0;
  output = 0;
  field: TemplateField = 'subject';
  charge(steps: number): void {
    this.steps += steps;
    if (this.steps > TEMPLATE_LIMITS.maxSteps)
      throw new TemplateTooComplexError(
        this.field,
        `needs more than ${TEMPLATE_LIMITS.maxSteps} steps to render (sections over long lists nest too deep)`,
      );
  }
  write(out: string[], s: string): void {
    this.output += s.length;
    if (this.output > TEMPLATE_LIMITS.maxOutput)
      throw new TemplateTooComplexError(
        this.field,
        `renders more than ${TEMPLATE_LIMITS.maxOutput} characters`,
      );
    out.push(s);
  }
}

/** The text of a value, or undefined when it has none (null, undefined, objects, functions, NaN). */
function valueToString(v: unknown, budget?: Budget): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (Array.isArray(v)) {
    budget?.charge(v.length);
    const parts = v
      .map((item) => valueToString(item, budget))
      .filter((s): s is string => s !== undefined && s.trim() !== '');
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}

/** True when a value counts as missing for templates: absent, null, blank string, no text. */
export function isBlankValue(v: unknown): boolean {
  const s = valueToString(v);
  return s === undefined || s.trim() === '';
}

function sectionIsTrue(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'function') return false;
  return true;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

type Mode = 'html' | 'text';

function renderNodes(
  nodes: readonly Node[],
  stack: unknown[],
  mode: Mode,
  missing: Set<string>,
  out: string[],
  budget: Budget,
): void {
  for (const node of nodes) {
    budget.charge(1);
    if (node.t === 'text') {
      budget.write(out, node.v);
    } else if (node.t === 'var') {
      const { value, fromRoot } = lookup(node.name, stack);
      const s = valueToString(value, budget);
      if (s === undefined || s.trim() === '') {
        if (node.fallback !== undefined) budget.write(out, node.fallback);
        else if (node.name !== '.') missing.add(node.name);
        continue;
      }
      if (fromRoot && TRUSTED_HTML_VARS.has(node.name))
        budget.write(out, mode === 'html' ? s : htmlToText(s));
      else budget.write(out, mode === 'html' ? escapeHtml(s) : s);
    } else {
      const { value } = lookup(node.name, stack);
      const truthy = sectionIsTrue(value);
      if (node.inverted) {
        if (!truthy) renderNodes(node.children, stack, mode, missing, out, budget);
      } else if (truthy) {
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          budget.charge(1);
          stack.push(item);
          renderNodes(node.children, stack, mode, missing, out, budget);
          stack.pop();
        }
      }
    }
  }
}

function renderField(
  template: string,
  field: TemplateField,
  vars: TemplateVars,
  missing: Set<string>,
  budget: Budget,
) {
  const nodes = compile(template, field);
  const out: string[] = [];
  budget.field = field;
  renderNodes(nodes, [vars], field === 'bodyHtml' ? 'html' : 'text', missing, out, budget);
  return out.join('');
}

/** Replaces every run of CR/LF (and the spaces around it) with one space, then trims. */
export function sanitizeSubject(subject: string): string {
  return subject.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ').trim();
}

const hasText = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/**
 * Renders a step (or variant) for one contact. `vars` is usually built with {@link templateVars}.
 * When the step has no (or a blank) `bodyText`, it is derived from the rendered `bodyHtml`.
 * Throws {@link TemplateError} when a template cannot be parsed, {@link TemplateTooComplexError}
 * (naming the field) as soon as the render goes over {@link TEMPLATE_LIMITS}.
 */
export function renderStep(step: StepTemplate, vars: TemplateVars): RenderedStep {
  const missing = new Set<string>();
  const budget = new Budget();
  const subject = sanitizeSubject(renderField(step.subject ?? '', 'subject', vars, missing, budget));
  const bodyHtml = renderField(step.bodyHtml ?? '', 'bodyHtml', vars, missing, budget);
  const bodyText = hasText(step.bodyText)
    ? renderField(step.bodyText, 'bodyText', vars, missing, budget)
    : htmlToText(bodyHtml);
  return { subject, bodyHtml, bodyText, missingVariables: [...missing].sort() };
}

// ---------------------------------------------------------------------------------------------------------
// Variables

export interface TemplateContact {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Usually in customJson; accepted at the top level too (e.g. the preview request's contact). */
  company?: string | null;
  title?: string | null;
  customJson?: Record<string, unknown> | null;
}

export interface TemplateSender {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  signatureHtml?: string | null;
}

export interface TemplateExtra {
  unsubscribeUrl?: string | null;
}

/**
 * Builds the variable map for a contact: every customJson entry (company, title, custom columns) by
 * name, then `firstName lastName email company title` (top-level values win when not blank), then the
 * sender's `senderFirstName senderLastName senderEmail senderSignature` and `unsubscribeUrl`. Custom
 * fields can never set the sender/unsubscribe variables.
 */
export function templateVars(
  contact: TemplateContact,
  sender?: TemplateSender | null,
  extra?: TemplateExtra | null,
): TemplateVars {
  const vars: TemplateVars = {};
  const set = (key: string, value: unknown) => {
    if (key === '__proto__') return;
    vars[key] = value;
  };
  const setIfPresent = (key: string, value: unknown) => {
    if (!isBlankValue(value)) set(key, value);
  };

  const custom = contact.customJson;
  if (isObject(custom) && !Array.isArray(custom)) {
    for (const [key, value] of Object.entries(custom)) set(key, value);
  }
  for (const key of RESERVED_VARS) delete vars[key];

  setIfPresent('firstName', contact.firstName);
  setIfPresent('lastName', contact.lastName);
  setIfPresent('email', contact.email);
  setIfPresent('company', contact.company);
  setIfPresent('title', contact.title);

  if (sender) {
    setIfPresent('senderFirstName', sender.firstName);
    setIfPresent('senderLastName', sender.lastName);
    setIfPresent('senderEmail', sender.email);
    setIfPresent('senderSignature', sender.signatureHtml);
  }
  if (extra) setIfPresent('unsubscribeUrl', extra.unsubscribeUrl);
  return vars;
}

function collect(nodes: readonly Node[], guards: readonly string[], acc: Map<string, boolean>): void {
  const add = (name: string, safe: boolean) => {
    if (name === '.') return;
    const prev = acc.get(name);
    acc.set(name, prev === undefined ? safe : prev && safe);
  };
  for (const node of nodes) {
    if (node.t === 'var') {
      add(node.name, node.fallback !== undefined || guards.includes(node.name));
    } else if (node.t === 'section') {
      add(node.name, true);
      collect(node.children, node.inverted ? guards : [...guards, node.name], acc);
    }
  }
}

/**
 * Every variable a step uses (subject, bodyHtml, bodyText), sorted by name, for preflight.
 * Throws {@link TemplateError} when a template cannot be parsed.
 */
export function templateVariables(step: {
  subject?: string | null;
  bodyHtml?: string | null;
  bodyText?: string | null;
}): TemplateVariable[] {
  const acc = new Map<string, boolean>();
  for (const field of ['subject', 'bodyHtml', 'bodyText'] as const) {
    const template = step[field];
    if (typeof template === 'string' && template !== '') collect(compile(template, field), [], acc);
  }
  return [...acc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, hasFallback]) => ({ name, hasFallback }));
}

/** Names (sorted) among `variables` without fallback whose value in `vars` is missing or blank. */
export function unresolvedVariables(variables: readonly TemplateVariable[], vars: TemplateVars): string[] {
  return variables
    .filter((v) => !v.hasFallback && isBlankValue(lookup(v.name, [vars]).value))
    .map((v) => v.name)
    .sort();
}

/**
 * Parse errors and unsupported features, one issue per broken field (`path` is the field name).
 * Fields that are absent or not strings are skipped (schema validation reports those).
 */
export function validateTemplate(step: {
  subject?: unknown;
  bodyHtml?: unknown;
  bodyText?: unknown;
}): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  for (const field of ['subject', 'bodyHtml', 'bodyText'] as const) {
    const template = step[field];
    if (typeof template !== 'string') continue;
    try {
      compile(template, field);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      issues.push(
        err instanceof TemplateTooComplexError
          ? { path: field, message: err.message, code: TEMPLATE_TOO_COMPLEX }
          : { path: field, message: err.message },
      );
    }
  }
  return issues;
}
