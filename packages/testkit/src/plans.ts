/**
 * Query-plan checks on what really ran: `recordStatements` makes a database remember every
 * statement (and its first arguments) run through it; `weakPlans` EXPLAINs them on a connection
 * of its own and returns those that read a whole table or a low-selectivity index range (every
 * send of a mailbox or status, every contact of a workspace, …). Without ANALYZE statistics
 * (the server never runs it) SQLite picks by shape alone, and such a plan reads whole ranges and
 * filters them against the list the statement names.
 */
import { type Db, openDb } from '@outreach/shared';

export interface StatementLog {
  ran: Map<string, unknown[]>;
}

/** Replaces `db.client` by one that logs, and returns the log. */
export function recordStatements(db: Db): StatementLog {
  const real = db.client;
  const ran = new Map<string, unknown[]>();
  const note = (s: unknown, args?: unknown) => {
    const st =
      typeof s === 'string'
        ? { sql: s, args: (args as unknown[]) ?? [] }
        : (s as { sql: string; args?: unknown[] });
    if (!ran.has(st.sql)) ran.set(st.sql, (st.args ?? []) as unknown[]);
  };
  db.client = new Proxy(real, {
    get(target, prop) {
      if (prop === 'batch')
        return (stmts: unknown[], mode: never) => {
          for (const s of stmts) note(s);
          return real.batch(stmts as never, mode);
        };
      if (prop === 'execute')
        return (s: unknown, args?: unknown) => {
          note(s, args);
          return real.execute(s as never, args as never);
        };
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { ran };
}

const WEAK =
  /^SCAN (?:sends|contacts|messages|threads|events|campaigns|suppressions|s|c|m|t)\b|USING (?:COVERING )?INDEX (?:sends_status_lease \(status=\?\)|sends_mailbox_time \(mailbox_id=\?\)$|contacts_workspace_email \(workspace_id=\?\)|messages_mailbox_out \(mailbox_id=\? AND direction=\?\)$|sends_campaign \(campaign_id=\?\))/m;

/** The logged statements whose plan is weak, each with its plan; [] when all follow an index. */
export async function weakPlans(log: StatementLog, databaseUrl: string): Promise<string[]> {
  // a connection of its own: an EXPLAIN of a write leaves nothing open on the one under test
  const explain = openDb(databaseUrl);
  const bad: string[] = [];
  try {
    for (const [sql, args] of log.ran) {
      if (/^\s*(?:PRAGMA|BEGIN|COMMIT|ROLLBACK|EXPLAIN)\b/i.test(sql)) continue;
      const plan = await explain.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: args as never });
      // (the mailboxes table is read whole on purpose: a few rows per workspace)
      const text = plan.rows
        .map((r) => String(r.detail))
        .filter((l) => !l.includes('mailboxes_'))
        .join('\n');
      if (WEAK.test(text))
        bad.push(`${sql.replace(/\s+/g, ' ').slice(0, 200)}\n  ${text.replace(/\n/g, '\n  ')}`);
    }
  } finally {
    explain.close();
  }
  return bad;
}
