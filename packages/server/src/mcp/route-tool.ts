import { z } from '@hono/zod-openapi';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Api, ApiCall, ApiResult } from './api';
import { localProblem } from './api';

/** The parts of a `createRoute({...})` a tool is built from. */
export interface RouteLike {
  method: ApiCall['method'];
  path: string;
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    body?: { content: Record<string, { schema: unknown }> };
  };
}

export type ToolArgs = Record<string, unknown>;

export interface Tool {
  name: string;
  description: string;
  annotations: ToolAnnotations;
  /** JSON Schema of the arguments (type object), as tools/list shows it. */
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
  run(args: ToolArgs, api: Api): Promise<ApiResult>;
}

/** Query params a tool never takes: the workspace is the key's. */
const HIDDEN_QUERY = new Set(['workspaceId']);

/** The split of a tool's flat arguments into the route's path, query and body, validated. */
export interface RouteArgs {
  schema: Tool['inputSchema'];
  /** Path and query validated with the route's own schemas; everything else is the body. */
  split(
    args: ToolArgs,
  ): { ok: true; call: Omit<ApiCall, 'method' | 'path'> } | { ok: false; result: ApiResult };
}

/**
 * A tool's arguments from the route's own zod schemas: the JSON body's fields, plus the path
 * params under their API names (`rename: {id: 'campaignId'}`) and the query params. The body is
 * left to the route to validate (its 422 names the field); path and query are checked here so
 * a missing id never turns into a request for `/campaigns//steps`.
 */
export function routeArgs(
  route: RouteLike,
  rename: Record<string, string> = {},
  extra: z.ZodObject = z.object({}),
): RouteArgs {
  const params = route.request?.params;
  const query = route.request?.query;
  const bodySchema = route.request?.body?.content['application/json']?.schema as z.ZodType | undefined;
  const toApi = (k: string) => rename[k] ?? k;
  const fromApi = Object.fromEntries(Object.entries(rename).map(([k, v]) => [v, k]));

  const pathShape = Object.fromEntries(Object.entries(params?.shape ?? {}).map(([k, v]) => [toApi(k), v]));
  const queryShape = Object.fromEntries(
    Object.entries(query?.shape ?? {}).filter(([k]) => !HIDDEN_QUERY.has(k)),
  );
  const local = z.object({ ...pathShape, ...queryShape, ...extra.shape });

  const parts = [local, ...(bodySchema ? [bodySchema] : [])].map(
    (s) =>
      z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as {
        properties?: object;
        required?: string[];
      },
  );
  const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}));
  const required = [...new Set(parts.flatMap((p) => p.required ?? []))];
  const schema = { type: 'object' as const, properties, ...(required.length ? { required } : {}) };

  return {
    schema,
    split(args) {
      const parsed = local.safeParse(args);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({
          path: i.path.map(String).join('.') || '(arguments)',
          message: i.message,
        }));
        return {
          ok: false,
          result: {
            ok: false,
            status: 422,
            body: localProblem(
              422,
              'validation_failed',
              errors.map((e) => `${e.path}: ${e.message}`).join('; '),
              errors,
            ),
          },
        };
      }
      const path: Record<string, string> = {};
      const q: Record<string, unknown> = {};
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(args)) {
        if (k in pathShape) path[fromApi[k] ?? k] = String(v);
        else if (k in queryShape) q[k] = v;
        else if (!(k in extra.shape)) body[k] = v;
      }
      return { ok: true, call: { params: path, query: q, ...(bodySchema ? { body } : {}) } };
    },
  };
}

export interface RouteToolSpec {
  name: string;
  description: string;
  annotations: ToolAnnotations;
  /** Path params under their API names: `{id: 'campaignId'}`. */
  rename?: Record<string, string>;
  /** Body fields the tool fixes (`{action: 'pause'}`): not arguments. */
  fixedBody?: Record<string, unknown>;
}

/** A tool that is exactly one route: arguments in, the route's JSON out. */
export function routeTool(route: RouteLike, spec: RouteToolSpec): Tool {
  const args = routeArgs(route, spec.rename);
  const schema = spec.fixedBody ? withoutBody(args.schema, Object.keys(spec.fixedBody)) : args.schema;
  return {
    name: spec.name,
    description: spec.description,
    annotations: { ...spec.annotations, title: spec.annotations.title ?? spec.name },
    inputSchema: schema,
    async run(input, api) {
      const split = args.split(input);
      if (!split.ok) return split.result;
      const call = split.call;
      if (spec.fixedBody) call.body = { ...(call.body as object), ...spec.fixedBody };
      return api({ method: route.method, path: route.path, ...call });
    },
  };
}

function withoutBody(schema: Tool['inputSchema'], keys: string[]): Tool['inputSchema'] {
  const properties = { ...schema.properties };
  for (const k of keys) delete properties[k];
  const required = schema.required?.filter((k) => !keys.includes(k));
  return { type: 'object', properties, ...(required?.length ? { required } : {}) };
}
