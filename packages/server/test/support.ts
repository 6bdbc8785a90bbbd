import type { Clock, Config } from '@outreach/shared';
import { createTestDeps, createTestWorkspace, type TestDeps } from '@outreach/testkit/deps';
import { type App, createApp } from '../src/app';

export interface Caller {
  workspaceId: number;
  apiKey: string;
  /** JSON request with this workspace's key; `query` is added to the path. */
  req(method: string, path: string, opts?: ReqOpts): Promise<Res>;
}

export interface ReqOpts {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** override the bearer key (null: send none). */
  key?: string | null;
  /** send this raw body instead of JSON (e.g. FormData, text). */
  raw?: RequestInit['body'];
  /** false: do not add ?workspaceId= automatically. */
  workspace?: boolean;
}

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface TestApp {
  app: App;
  deps: TestDeps;
  /** two workspaces, to prove neither sees the other's data. */
  a: Caller;
  b: Caller;
  close(): void;
}

export async function makeTestApp(opts: { clock?: Clock; config?: Partial<Config> } = {}): Promise<TestApp> {
  const deps = await createTestDeps(opts);
  const app = createApp(deps);
  const caller = async (name: string): Promise<Caller> => {
    const ws = await createTestWorkspace(deps, name);
    return {
      ...ws,
      req: (method, path, o = {}) =>
        call(app, method, path, { ...o, key: o.key === undefined ? ws.apiKey : o.key }, ws.workspaceId),
    };
  };
  const a = await caller('A');
  const b = await caller('B');
  return { app, deps, a, b, close: () => deps.cleanup() };
}

export async function call(
  app: App,
  method: string,
  path: string,
  o: ReqOpts,
  workspaceId?: number,
): Promise<Res> {
  const url = new URL(path, 'http://test.local');
  if (workspaceId !== undefined && o.workspace !== false && !url.searchParams.has('workspaceId')) {
    url.searchParams.set('workspaceId', String(workspaceId));
  }
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  let body: RequestInit['body'] = o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await app.request(url.pathname + url.search, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A problem+json answer with this status and code (and, if given, a failing field). */
export function expectProblem(res: Res, status: number, code: string, field?: string): void {
  const ok =
    res.status === status &&
    res.headers.get('content-type')?.startsWith('application/problem+json') &&
    res.body?.code === code &&
    (field === undefined || res.body?.errors?.some((e: { path: string }) => e.path === field));
  if (!ok) {
    throw new Error(
      `expected ${status} ${code}${field ? ` on ${field}` : ''}, got ${res.status} ${res.text.slice(0, 500)}`,
    );
  }
}
