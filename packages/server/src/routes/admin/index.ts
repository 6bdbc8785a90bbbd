import { createRoute, z } from '@hono/zod-openapi';
import {
  AppError,
  createApiKey,
  createWorkspace,
  deleteApiKey,
  iso,
  listApiKeys,
  listWorkspaces,
  workspaceExists,
} from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { Timestamp } from '../../lib/schemas';
import { answersSecret } from '../../middleware/idempotency';

const tags = ['Admin'];

const Workspace = z
  .object({
    workspace_id: z.number().int().openapi({ example: 42 }),
    project_name: z.string().openapi({ example: 'Acme outbound' }),
    description: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Workspace');

const ApiKeyCreated = z
  .object({
    api_key: z.string().openapi({ example: 'osk_3xAmPlEkEy' }),
    name: z.string().nullable(),
    workspace_id: z.number().int(),
    expiration_date: Timestamp,
  })
  .openapi('ApiKeyCreated');

const ApiKeyInfo = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    workspace_id: z.number().int(),
    prefix: z.string(),
    last4: z.string(),
    expiration_date: Timestamp,
    createdAt: Timestamp,
  })
  .openapi('ApiKey');

const WorkspaceIdQuery = z.object({
  workspace_id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'workspace_id', in: 'query' }, example: 42 }),
});

const toWorkspace = (w: {
  id: number;
  projectName: string;
  description: string | null;
  createdAt: number;
}) => ({
  workspace_id: w.id,
  project_name: w.projectName,
  description: w.description,
  createdAt: iso(w.createdAt),
});

export function registerAdmin(app: App): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces',
      operationId: 'workspaces.create',
      tags,
      summary: 'Create a workspace (admin token)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                project_name: z.string().trim().min(1).max(200).openapi({ example: 'Acme outbound' }),
                description: z.string().max(2000).optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Workspace } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { db, clock } = c.get('deps');
      const w = await createWorkspace(
        db,
        { projectName: body.project_name, description: body.description },
        clock.now(),
      );
      return c.json(toWorkspace(w), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces',
      operationId: 'workspaces.list',
      tags,
      summary: 'List workspaces (admin token)',
      responses: {
        200: {
          description: 'Workspaces',
          content: {
            'application/json': { schema: z.object({ items: z.array(Workspace), next_cursor: z.null() }) },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const rows = await listWorkspaces(c.get('deps').db);
      return c.json({ items: rows.map(toWorkspace), next_cursor: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      operationId: 'apiKeys.create',
      tags,
      summary: 'Create an API key for a workspace (admin token); the key is shown only here',
      description:
        'The key is shown in this answer only and never stored in plaintext, not even for `Idempotency-Key` replays: repeating the key answers 409 `idempotency_secret_not_replayable` with `firstResponse` (this answer without `api_key`).',
      middleware: [answersSecret('api_key')] as const,
      request: {
        query: WorkspaceIdQuery,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                name: z.string().max(200).optional(),
                expiresInDays: z.number().int().min(1).max(3650).optional().openapi({ example: 365 }),
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: ApiKeyCreated } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { workspace_id } = c.req.valid('query');
      const body = c.req.valid('json');
      const { db, clock } = c.get('deps');
      if (!(await workspaceExists(db, workspace_id)))
        throw AppError.notFound('Workspace', String(workspace_id));
      const { key, row } = await createApiKey(db, { workspaceId: workspace_id, ...body }, clock.now());
      return c.json({ api_key: key, name: row.name, workspace_id, expiration_date: iso(row.expiresAt) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      operationId: 'apiKeys.list',
      tags,
      summary: 'List the API keys of a workspace (prefix and last 4 only)',
      request: { query: WorkspaceIdQuery },
      responses: {
        200: {
          description: 'Keys',
          content: {
            'application/json': { schema: z.object({ items: z.array(ApiKeyInfo), next_cursor: z.null() }) },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { workspace_id } = c.req.valid('query');
      const rows = await listApiKeys(c.get('deps').db, workspace_id);
      return c.json(
        {
          items: rows.map((k) => ({
            id: k.id,
            name: k.name,
            workspace_id: k.workspaceId,
            prefix: k.prefix,
            last4: k.last4,
            expiration_date: iso(k.expiresAt),
            createdAt: iso(k.createdAt),
          })),
          next_cursor: null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      operationId: 'apiKeys.delete',
      tags,
      summary: 'Revoke an API key',
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 204: { description: 'Revoked' }, ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await deleteApiKey(c.get('deps').db, id))) throw AppError.notFound('API key', id);
      c.get('apiKeys').forget(id);
      return c.body(null, 204);
    },
  );
}
