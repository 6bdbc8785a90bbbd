/**
 * Nesting limits for JSON (pure). `JSON.parse`, zod and SQLite's JSON functions all recurse or
 * refuse past some depth (SQLite: 1,000 → "malformed JSON"; V8 overflows its stack further on),
 * so request bodies are measured on their raw text before anything parses them, and stored
 * `customJson` values once parsed.
 */

/** Deepest nesting of objects/arrays a JSON request body may have. */
export const JSON_MAX_DEPTH = 32;
/** Deepest nesting inside a contact's `customJson` (the object itself is level 1). */
export const CUSTOM_JSON_MAX_DEPTH = 16;

export interface DepthExcess {
  /** dotted path of the first container that goes over (`contacts.0.customJson.a`), `(body)` at the top. */
  path: string;
  max: number;
}

interface Frame {
  array: boolean;
  /** arrays: the current index; objects: where the current key's string starts and ends. */
  index: number;
  keyStart: number;
  keyEnd: number;
}

function segment(text: string, f: Frame): string {
  if (f.array) return String(f.index);
  if (f.keyStart < 0) return '';
  try {
    return JSON.parse(text.slice(f.keyStart, f.keyEnd)) as string;
  } catch {
    return text.slice(f.keyStart + 1, f.keyEnd - 1);
  }
}

/**
 * The first place where `text` nests objects/arrays deeper than `max`, or null. One linear pass,
 * no recursion, no parse: malformed text is left for `JSON.parse` to report.
 */
export function jsonDepthExcess(text: string, max: number = JSON_MAX_DEPTH): DepthExcess | null {
  const stack: Frame[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      const top = stack[stack.length - 1];
      if (top && !top.array && expectKey) {
        top.keyStart = start;
        top.keyEnd = i + 1;
        expectKey = false;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (stack.length >= max) {
        const path = stack.map((f) => segment(text, f)).join('.');
        return { path: path || '(body)', max };
      }
      stack.push({ array: c === 91, index: 0, keyStart: -1, keyEnd: -1 });
      expectKey = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) expectKey = true;
    }
  }
  return null;
}

/** Nesting depth of a parsed value (a scalar is 0, `{}` is 1), counted without recursion; stops past `cap`. */
export function valueDepth(value: unknown, cap = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const todo: [unknown, number][] = [[value, 0]];
  while (todo.length > 0) {
    const [v, d] = todo.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > cap) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) todo.push([child, depth]);
  }
  return deepest;
}
