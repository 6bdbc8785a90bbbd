import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/db/migrate';

// Upgrades keep data: a database made by the earlier migrations, with rows in every table, is
// migrated to the latest, and every row it held is still there with the values it had.

interface JournalEntry {
  idx: number;
  tag: string;
  when: number;
}
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
  entries: JournalEntry[];
};
const work = mkdtempSync(join(tmpdir(), 'outreach-migrations-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A migrations folder holding only the first `count` migrations. */
function folderWith(count: number): string {
  const dir = join(work, `m${count}`);
  mkdirSync(join(dir, 'meta'), { recursive: true });
  const entries = journal.entries.slice(0, count);
  for (const e of entries) copyFileSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

const T0 = Date.UTC(2026, 2, 9, 10, 0, 0);

/** Realistic rows for the tables of 0000_init (one statement each). */
const INIT_ROWS: Record<string, string> = {
  workspaces: `INSERT INTO workspaces (id, project_name, description, created_at) VALUES (1, 'Acme', 'd', ${T0})`,
  api_keys: `INSERT INTO api_keys VALUES ('key_1', 1, 'ci', 'h4sh', 'osk_', 'abcd', ${T0 + 1e9}, ${T0})`,
  cron_runs: `INSERT INTO cron_runs VALUES ('housekeeping', ${T0}, 'wrk_1')`,
  events: `INSERT INTO events VALUES ('evt_1', 1, 'campaign.created', 'cmp_1', NULL, '{"name":"Q1"}', ${T0})`,
  idempotency_keys: `INSERT INTO idempotency_keys VALUES (1, 'k1', 'fp', 201, '{"id":"cmp_1"}', 'application/json', ${T0})`,
  campaigns: `INSERT INTO campaigns VALUES ('cmp_1', 1, 'Q1 SaaS Outreach', 'HIGH', 'active',
    '{"timezone":"America/New_York","weekdays":["mon"],"windows":[{"start":"09:00","end":"17:00"}]}',
    '{"stopOnReply":true,"stopOnUnsub":true,"stopOnBounce":true}', NULL, ${T0}, ${T0}, ${T0})`,
  steps: `INSERT INTO steps VALUES ('stp_1', 'cmp_1', NULL, 1, 'Quick question about {{company}}', '<p>Hi {{firstName}}</p>',
    NULL, 0, '[]', ${T0}, ${T0})`,
  subsequences: `INSERT INTO subsequences (id, campaign_id, name, enrollment_mode, created_at)
    VALUES ('sub_1', 'cmp_1', 'Interested', 'auto', ${T0})`,
  contacts: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status,
    current_step, subsequence_id, mailbox_id, next_send_at, last_sent_at, enrolled_at, created_at, updated_at)
    VALUES ('cnt_1', 1, 'cmp_1', 'john@acme.com', 'John', 'Doe', '{"company":"Acme"}', 'active', 1, NULL, 'mbx_1',
    ${T0 + 3600e3}, ${T0}, ${T0}, ${T0}, ${T0})`,
  import_chunks: `INSERT INTO import_chunks VALUES ('imp_1', 0, x'656d61696c0a')`,
  imports: `INSERT INTO imports (id, workspace_id, campaign_id, status, file_name, file_bytes, columns, sample_rows,
    mapping, total_rows, processed_rows, processed_bytes, imported, invalid, errors, error, created_at, updated_at)
    VALUES ('imp_1', 1, 'cmp_1', 'completed', 'leads.csv', 6, '["email"]', '[]', '{"email":"email"}', 1, 1, 6, 1, 0,
    '[]', NULL, ${T0}, ${T0})`,
  suppressions: `INSERT INTO suppressions VALUES ('sup_1', 1, 'email', 'gone@acme.com', 'unsubscribed', ${T0})`,
  campaign_mailboxes: `INSERT INTO campaign_mailboxes (id, campaign_id, mailbox_id, weight, state, daily_limit,
    gap_base_seconds, gap_jitter_seconds, next_available_at, assigned_contacts, created_at)
    VALUES ('cmb_1', 'cmp_1', 'mbx_1', 1, 'active', 30, 120, 60, ${T0}, 1, ${T0})`,
  mailboxes: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, signature_html, daily_limit,
    status, smtp, smtp_password, imap, imap_password, last_check, created_at, updated_at)
    VALUES ('mbx_1', 1, 'sales@acme.com', 'Sam', NULL, NULL, 50, 'verified',
    '{"host":"smtp.acme.com","port":587,"secure":false,"username":"sales"}', 'enc1',
    '{"host":"imap.acme.com","port":993,"secure":true,"username":"sales"}', 'enc2', '{"smtp":true,"imap":true}',
    ${T0}, ${T0})`,
  jobs: `INSERT INTO jobs (id, workspace_id, kind, ref_id, payload, state, priority, run_at, lease_id, lease_until,
    attempts, max_attempts, error, result, created_at, finished_at)
    VALUES ('job_1', 1, 'launch', 'cmp_1', '{}', 'succeeded', 0, ${T0}, NULL, NULL, 1, 5, NULL, '{"enrolled":1}',
    ${T0}, ${T0})`,
  sends: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id,
    campaign_mailbox_id, to_email, status, attempts, scheduled_at, sent_at, message_id, error, lease_id, lease_until,
    created_at, updated_at)
    VALUES ('snd_1', 1, 'cmp_1', 'cnt_1', 'stp_1', NULL, 'mbx_1', 'cmb_1', 'john@acme.com', 'sent', 1, ${T0}, ${T0},
    '<snd_1@acme.com>', NULL, NULL, NULL, ${T0}, ${T0})`,
};

type Row = Record<string, unknown>;
type Client = ReturnType<typeof createClient>;

async function tables(client: Client): Promise<string[]> {
  const rs = await client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'",
  );
  return rs.rows.map((r) => String(r.name));
}

/**
 * A row for a table no fixture above knows (one a later migration added): every column filled
 * with a value of its declared type. A table this cannot fill (a CHECK, a foreign key) needs a
 * hand-written row in INIT_ROWS' manner: the failure says which.
 */
async function genericRow(client: Client, table: string): Promise<void> {
  const cols = await client.execute(`PRAGMA table_info(\`${table}\`)`);
  const names: string[] = [];
  const values: unknown[] = [];
  for (const c of cols.rows) {
    const type = String(c.type).toUpperCase();
    names.push(`\`${String(c.name)}\``);
    if (type.includes('INT')) values.push(T0);
    else if (type.includes('REAL') || type.includes('NUM')) values.push(1.5);
    else if (type.includes('BLOB')) values.push(new Uint8Array([1, 2, 3]));
    else values.push(`v_${String(c.name)}`);
  }
  try {
    await client.execute({
      sql: `INSERT INTO \`${table}\` (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      args: values as never,
    });
  } catch (err) {
    throw new Error(`cannot fill table ${table} generically (${String(err)}): add a row for it to this test`);
  }
}

async function snapshot(client: Client): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const t of await tables(client)) {
    const rs = await client.execute(`SELECT * FROM \`${t}\``);
    out.set(
      t,
      rs.rows.map((r) => Object.fromEntries(rs.columns.map((c) => [c, normalise(r[c])]))),
    );
  }
  return out;
}

function normalise(v: unknown): unknown {
  if (v instanceof ArrayBuffer) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return Number(v);
  return v;
}

async function upgradeKeepsRows(from: number): Promise<void> {
  const url = `file:${join(work, `db-${from}.sqlite`)}`;
  const client = createClient({ url });
  try {
    await migrate(drizzle(client), { migrationsFolder: folderWith(from) });
    for (const t of await tables(client)) {
      if (INIT_ROWS[t]) await client.execute(INIT_ROWS[t]);
      else await genericRow(client, t);
    }
    const before = await snapshot(client);
    for (const [t, rows] of before) expect(rows.length, `rows seeded into ${t}`).toBeGreaterThan(0);

    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    const after = await snapshot(client);
    for (const [t, rows] of before) {
      const now = after.get(t);
      expect(now, `table ${t} still exists`).toBeDefined();
      expect(now!.length, `rows of ${t}`).toBe(rows.length);
      for (const [i, row] of rows.entries()) {
        // the columns it had keep their values; columns added later may hold their defaults
        const kept = Object.fromEntries(Object.keys(row).map((c) => [c, now![i]![c]]));
        expect(kept, `row ${i} of ${t}`).toEqual(row);
      }
    }
  } finally {
    client.close();
  }
}

describe('migrations', () => {
  it('the journal lists every SQL file in order, 0000_init first', () => {
    expect(journal.entries[0]?.tag).toBe('0000_init');
    journal.entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      expect(readFileSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), 'utf8').length).toBeGreaterThan(0);
      if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]!.when);
    });
  });

  it('every fixture row fits the first schema', async () => {
    const client = createClient({ url: `file:${join(work, 'init.sqlite')}` });
    try {
      await migrate(drizzle(client), { migrationsFolder: folderWith(1) });
      const names = await tables(client);
      expect(names.sort()).toEqual(Object.keys(INIT_ROWS).sort());
      for (const t of names) await client.execute(INIT_ROWS[t]!);
    } finally {
      client.close();
    }
  });

  // One case per earlier state: made by the first k migrations, filled, then migrated to the latest.
  for (let k = 1; k < journal.entries.length; k++) {
    it(`a database at ${journal.entries[k - 1]!.tag} keeps every row through ${journal.entries.at(-1)!.tag}`, () =>
      upgradeKeepsRows(k));
  }
});
