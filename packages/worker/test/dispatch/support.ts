/**
 * Seeding for dispatch tests: the rows launch / mailbox routes would write, inserted directly.
 * A launched campaign: status active, contacts active with nextSendAt = enrolment + first delay.
 */
import type { Deps, Schedule } from '@outreach/shared';
import { newId } from '@outreach/shared';
import type { Priority } from '@outreach/shared/db/schema/campaigns';
import type { MailTransport, OutgoingMail, SendOutcome } from '../../src/adapters/smtp';
import type { TransportPool } from '../../src/dispatch/types';

export interface SeedStep {
  subject: string;
  bodyHtml: string;
  delaySeconds: number;
  variants?: { subject?: string; bodyHtml?: string; weight: number }[];
}

export async function seedCampaign(
  deps: Deps,
  opts: {
    workspaceId: number;
    name?: string;
    priority?: Priority;
    schedule: Schedule | null;
    steps: SeedStep[];
    now: number;
  },
) {
  const id = newId('campaign', opts.now);
  const stepIds: string[] = [];
  const variantIds: string[][] = [];
  const stmts = [
    {
      sql: `INSERT INTO campaigns (id, workspace_id, name, priority, status, schedule, stop_rules, launched_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
      args: [
        id,
        opts.workspaceId,
        opts.name ?? 'Campaign',
        opts.priority ?? 'MEDIUM',
        JSON.stringify(opts.schedule),
        JSON.stringify({
          stopOnReply: true,
          stopOnUnsub: true,
          stopOnBounce: true,
          stopOnAutoReply: false,
          stopOnCompanyReply: false,
        }),
        opts.now,
        opts.now,
        opts.now,
      ],
    },
  ];
  opts.steps.forEach((s, i) => {
    const stepId = newId('step', opts.now);
    stepIds.push(stepId);
    const variants = (s.variants ?? []).map((v) => ({
      id: newId('variant', opts.now),
      subject: v.subject ?? null,
      bodyHtml: v.bodyHtml ?? null,
      bodyText: null,
      weight: v.weight,
    }));
    variantIds.push(variants.map((v) => v.id));
    stmts.push({
      sql: `INSERT INTO steps (id, campaign_id, subsequence_id, position, subject, body_html, body_text, delay_seconds, variants, created_at, updated_at)
            VALUES (?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?)`,
      args: [
        stepId,
        id,
        i + 1,
        s.subject,
        s.bodyHtml,
        s.delaySeconds,
        JSON.stringify(variants),
        opts.now,
        opts.now,
      ],
    });
  });
  await deps.db.client.batch(stmts, 'write');
  return { id, stepIds, variantIds };
}

export async function seedMailbox(
  deps: Deps,
  opts: {
    workspaceId: number;
    address: string;
    dailyLimit: number;
    smtp?: { host: string; port: number; secure?: boolean; username?: string; password?: string };
    now: number;
  },
): Promise<string> {
  const id = newId('mailbox', opts.now);
  const smtp = {
    host: opts.smtp?.host ?? '127.0.0.1',
    port: opts.smtp?.port ?? 25,
    secure: opts.smtp?.secure ?? false,
    username: opts.smtp?.username ?? '',
  };
  await deps.db.client.execute({
    sql: `INSERT INTO mailboxes (id, workspace_id, address, first_name, last_name, signature_html, daily_limit, status, smtp, smtp_password,
            imap, imap_password, last_check, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, NULL, ?, 'verified', ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      id,
      opts.workspaceId,
      opts.address,
      opts.address.split('@')[0]!.replace(/^./, (c) => c.toUpperCase()),
      'Sender',
      opts.dailyLimit,
      JSON.stringify(smtp),
      deps.secrets.encrypt(opts.smtp?.password ?? ''),
      JSON.stringify({ host: '127.0.0.1', port: 143, secure: false, username: '' }),
      deps.secrets.encrypt(''),
      JSON.stringify({ smtp: null, imap: null, at: null }),
      opts.now,
      opts.now,
    ],
  });
  return id;
}

export async function attachMailbox(
  deps: Deps,
  opts: {
    campaignId: string;
    mailboxId: string;
    weight: number;
    dailyLimit: number;
    gapBase: number;
    gapJitter: number;
    now: number;
  },
): Promise<string> {
  const id = newId('campaignMailbox', opts.now);
  await deps.db.client.execute({
    sql: `INSERT INTO campaign_mailboxes (id, campaign_id, mailbox_id, weight, state, daily_limit, gap_base_seconds, gap_jitter_seconds,
            next_available_at, assigned_contacts, created_at)
          VALUES (?, ?, ?, ?, 'active', ?, ?, ?, 0, 0, ?)`,
    args: [
      id,
      opts.campaignId,
      opts.mailboxId,
      opts.weight,
      opts.dailyLimit,
      opts.gapBase,
      opts.gapJitter,
      opts.now,
    ],
  });
  return id;
}

/** Enrols `count` contacts as launch does: active, nextSendAt = enrolledAt + first step delay. */
export async function seedContacts(
  deps: Deps,
  opts: {
    workspaceId: number;
    campaignId: string;
    count: number;
    enrolledAt: number;
    firstDelaySeconds: number;
    prefix?: string;
    status?: string;
  },
): Promise<string[]> {
  const ids: string[] = [];
  const chunk = 1000;
  for (let start = 0; start < opts.count; start += chunk) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(opts.count, start + chunk); i++) {
      const id = newId('contact', opts.enrolledAt);
      ids.push(id);
      rows.push([
        id,
        `${opts.prefix ?? 'p'}${i}@example.com`,
        `First${i}`,
        `Last${i}`,
        JSON.stringify({ company: `Co ${i}` }),
      ]);
    }
    const status = opts.status ?? 'active';
    await deps.db.client.execute({
      sql: `INSERT INTO contacts (id, workspace_id, campaign_id, email, first_name, last_name, custom_json, status, current_step,
              subsequence_id, mailbox_id, next_send_at, last_sent_at, enrolled_at, created_at, updated_at)
            SELECT j.value->>0, ?, ?, j.value->>1, j.value->>2, j.value->>3, j.value->>4, ?, 0, NULL, NULL, ?, NULL, ?, ?, ?
            FROM json_each(?) j WHERE true`,
      args: [
        opts.workspaceId,
        opts.campaignId,
        status,
        status === 'active' ? opts.enrolledAt + opts.firstDelaySeconds * 1000 : null,
        status === 'active' ? opts.enrolledAt : null,
        opts.enrolledAt,
        opts.enrolledAt,
        JSON.stringify(rows),
      ],
    });
  }
  return ids;
}

export interface SinkMessage {
  mailboxAddress: string;
  at: number;
  mail: OutgoingMail;
}

/**
 * An in-process SMTP sink implementing the executor's transport interface (for the simulation:
 * the real-SMTP tests use smtp-server). `behaviour` may refuse a recipient like a server would.
 */
export function sinkPool(
  clock: { now(): number },
  behaviour?: (to: string, attempt: number) => SendOutcome | null,
): TransportPool & { messages: SinkMessage[] } {
  const messages: SinkMessage[] = [];
  const attempts = new Map<string, number>();
  const cache = new Map<string, MailTransport>();
  return {
    messages,
    get(mailbox) {
      let t = cache.get(mailbox.id);
      if (!t) {
        t = {
          async send(mail) {
            const n = (attempts.get(mail.to) ?? 0) + 1;
            attempts.set(mail.to, n);
            const refused = behaviour?.(mail.to, n);
            if (refused) return refused;
            messages.push({ mailboxAddress: mailbox.address, at: clock.now(), mail });
            return { ok: true, response: '250 OK' };
          },
          close() {},
        };
        cache.set(mailbox.id, t);
      }
      return t;
    },
    closeAll() {},
  };
}

export async function rows<T = Record<string, unknown>>(
  deps: Deps,
  sql: string,
  args: (string | number | null)[] = [],
) {
  const res = await deps.db.client.execute({ sql, args });
  return res.rows as unknown as T[];
}
