/**
 * One large `POST /imports` in a fresh process, with or without an `Idempotency-Key`; prints one
 * JSON line with the status, the time and the process's RSS before and at its peak.
 * Usage: `node --import tsx bench/lib/upload-rss.ts keyed|unkeyed <rows>`.
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '@outreach/server/app';
import { createTestDeps, createTestWorkspace } from '@outreach/testkit/deps';
import { BOUNDARY, multipart } from './upload-body';

const keyed = process.argv[2] === 'keyed';
const rows = Number(process.argv[3] ?? 1_000_000);
const deps = await createTestDeps();
try {
  const { workspaceId, apiKey } = await createTestWorkspace(deps, 'bench');
  const app = createApp(deps);
  const auth = { authorization: `Bearer ${apiKey}` };
  const campaign = (await (
    await app.request(`/campaigns?workspaceId=${workspaceId}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    })
  ).json()) as { id: string };
  const { body, length } = multipart(campaign.id, rows);
  // A warm-up request so both runs start from the same loaded code.
  await app.request(`/imports?workspaceId=${workspaceId}`, { headers: auth });
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const res = await app.request(`/imports?workspaceId=${workspaceId}`, {
    method: 'POST',
    headers: {
      ...auth,
      ...(keyed ? { 'idempotency-key': 'bench-upload-1' } : {}),
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(length),
    },
    body,
    duplex: 'half',
  } as RequestInit);
  await res.text();
  const seconds = (performance.now() - t0) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ keyed, status: res.status, bytes: length, seconds, rssBefore, peakRss }));
} finally {
  deps.cleanup();
}
