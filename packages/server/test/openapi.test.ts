import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, specDocument } from '../src/cli';
import { OPERATION_ID, specProblems, TAGS } from '../src/lib/openapi-rules';

const spec = specDocument() as unknown as {
  paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
  tags: { name: string; description: string }[];
};

describe('the OpenAPI document', () => {
  it('every operation has a unique resource.verb operationId, one declared tag and a summary', () => {
    expect(specProblems(spec)).toEqual([]);
    const ids = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.length).toBeGreaterThan(50);
    for (const id of ids) expect(id).toMatch(OPERATION_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every tag with a description', () => {
    expect(spec.tags).toEqual(TAGS);
    const used = new Set(
      Object.values(spec.paths).flatMap((i) => Object.values(i).flatMap((op) => op.tags ?? [])),
    );
    for (const t of TAGS) expect(used.has(t.name), `tag ${t.name} is declared but unused`).toBe(true);
  });

  it('names the operation that breaks a rule', () => {
    const broken = {
      paths: {
        '/x': { get: { tags: ['Campaigns'], summary: 's' }, post: { operationId: 'x.y', tags: ['Nope'] } },
        '/y': { get: { operationId: 'x.y', tags: ['Campaigns'], summary: 's' } },
      },
    };
    expect(specProblems(broken)).toEqual([
      "GET /x: no operationId (add `operationId: 'resource.verb'`)",
      'POST /x: tag "Nope" is not declared in lib/openapi-rules.ts TAGS',
      'POST /x: no summary',
      'GET /y: operationId x.y is also used by POST /x',
    ]);
  });

  it('the committed openapi/openapi.json is the generated one', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(`${JSON.stringify(spec, null, 2)}\n`);
  });

  it('operationIds of existing operations never change (generators key on them)', () => {
    const byRoute = Object.fromEntries(
      Object.entries(spec.paths).flatMap(([p, item]) =>
        Object.entries(item).map(([m, op]) => [`${m} ${p}`, op.operationId]),
      ),
    );
    expect(byRoute).toMatchObject({
      'post /campaigns': 'campaigns.create',
      'get /campaigns/{id}': 'campaigns.get',
      'post /campaigns/{id}/steps': 'steps.create',
      'post /campaigns/{id}/contacts/import': 'contacts.import',
      'post /campaigns/{id}/mailboxes': 'campaignMailboxes.attach',
      'put /campaigns/{id}/schedule': 'campaigns.setSchedule',
      'get /campaigns/{id}/preflight': 'campaigns.preflight',
      'post /campaigns/{id}/launch': 'campaigns.launch',
      'get /campaigns/{id}/stats': 'campaigns.stats',
      'post /workspaces': 'workspaces.create',
      'post /api-keys': 'apiKeys.create',
    });
  });
});
