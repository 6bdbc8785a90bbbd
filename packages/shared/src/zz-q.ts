import Database from 'libsql';
import { readFileSync } from 'node:fs';
const s = JSON.parse(readFileSync('/tmp/reads-db/seeded-1000000.json', 'utf8'));
const db = new Database('/tmp/reads-db/bench.db', { readonly: true } as never);
function time(label: string, sql: string, args: unknown[]) {
  const st = db.prepare(sql).raw(true);
  for (let i = 0; i < 300; i++) st.all(args);
  let best = 1e9;
  for (let r = 0; r < 7; r++) {
    const n = 1000; const t = performance.now();
    for (let i = 0; i < n; i++) st.all(args);
    best = Math.min(best, (performance.now() - t) / n * 1000);
  }
  console.log(label.padEnd(14), best.toFixed(1), 'µs', JSON.stringify(st.all(args)).slice(0, 100));
}
const a = [s.campaignId, s.workspaceId];
time('campaign', `SELECT status FROM campaigns WHERE id = ?1 AND workspace_id = ?2`, a);
time('contacts', `SELECT (SELECT json_group_array(json_array(status, n)) FROM campaign_contact_counts WHERE campaign_id = ?1 AND n <> 0)`, [s.campaignId]);
time('sends', `SELECT (SELECT json_group_array(json_array(step_id, nullif(variant_id, ''), status, n)) FROM campaign_send_counts WHERE campaign_id = ?1 AND n <> 0)`, [s.campaignId]);
time('steps', `SELECT (SELECT json_group_array(json_array(id, subsequence_id, position, json(variants)) ORDER BY subsequence_id IS NOT NULL, subsequence_id, position, id) FROM steps WHERE campaign_id = ?1)`, [s.campaignId]);
time('interrupted', `SELECT (SELECT count(*) FROM sends WHERE campaign_id = ?1 AND status = 'failed' AND error = 'interrupted')`, [s.campaignId]);
time('failed n', `SELECT count(*) FROM sends WHERE campaign_id = ?1 AND status = 'failed'`, [s.campaignId]);
time('subseq', `SELECT (SELECT json_group_array(json_array(x.id, x.enrolled, x.completed)) FROM (SELECT q.id, count(e.contact_id) AS enrolled, count(e.completed_at) AS completed FROM subsequences q LEFT JOIN subsequence_enrollments e ON e.subsequence_id = q.id WHERE q.campaign_id = ?1 GROUP BY q.id HAVING q.deleted_at IS NULL OR count(e.contact_id) > 0 ORDER BY q.id) x)`, [s.campaignId]);
for (const r of db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM sends WHERE campaign_id = ?1 AND status = 'failed' AND error = 'interrupted'`).all([s.campaignId]) as any[]) console.log(r.detail);
time('select 1', `SELECT 1`, []);
