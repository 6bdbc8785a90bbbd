import { z } from '@hono/zod-openapi';
import { type InboxState, iso, type MailboxRow, normalizeEmail } from '@outreach/shared';
import { pathId, Timestamp } from '../../lib/schemas';

const host = z.string().trim().min(1).max(255).openapi({ example: 'smtp.cooloutreach.com' });
const port = z.number().int().min(1).max(65535);
const username = z.string().max(320).openapi({ example: 'john@cooloutreach.com' });
const password = z
  .string()
  .min(1)
  .max(1000)
  .openapi({ description: 'Write-only: encrypted at rest, never returned', example: 'app-password' });

export const ServerInput = z.object({
  host,
  port: port.openapi({ example: 587 }),
  secure: z.boolean().openapi({
    description:
      'TLS from the first byte (465/993); false = plain, upgraded with STARTTLS when the server offers it (SMTP)',
  }),
  username,
  password,
});

export const ServerPatch = z.object({
  host: host.optional(),
  port: port.optional(),
  secure: z.boolean().optional(),
  username: username.optional(),
  password: password.optional(),
});

export const ServerSettingsSchema = z
  .object({ host: z.string(), port: z.number().int(), secure: z.boolean(), username: z.string() })
  .openapi('MailServerSettings');

export const ConnectionCheckSchema = z
  .object({
    ok: z.boolean(),
    error: z.string().optional().openapi({ example: '535 Authentication credentials invalid' }),
  })
  .openapi('ConnectionCheck');

export const InboxStateSchema = z
  .object({
    lastReadAt: Timestamp.nullable().openapi({ description: 'the last complete IMAP read' }),
    lastError: z.string().nullable().openapi({ example: 'AUTHENTICATIONFAILED Authentication failed.' }),
    messagesSeen: z.number().int().openapi({ description: 'inbound messages read since registration' }),
  })
  .openapi('MailboxInbox');

export function toInboxState(s: InboxState): z.infer<typeof InboxStateSchema> {
  return { lastReadAt: iso(s.lastReadAt), lastError: s.lastError, messagesSeen: s.messagesSeen };
}

export const MailboxSchema = z
  .object({
    id: z.string().openapi({ example: 'mbx_501' }),
    address: z.string().openapi({ example: 'john@cooloutreach.com' }),
    firstName: z.string().openapi({ example: 'John' }),
    lastName: z.string().nullable(),
    signatureHtml: z.string().nullable(),
    dailyLimit: z
      .number()
      .int()
      .openapi({ description: 'Mailbox-wide cap across all campaigns, per rolling 24 h', example: 50 }),
    status: z.enum(['unverified', 'verified', 'failing']),
    smtp: ServerSettingsSchema,
    imap: ServerSettingsSchema,
    lastCheck: z
      .object({
        smtp: ConnectionCheckSchema.nullable(),
        imap: ConnectionCheckSchema.nullable(),
        at: Timestamp.nullable(),
      })
      .openapi('MailboxLastCheck'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    inbox: InboxStateSchema.optional().openapi({
      description: "on GET /mailboxes/{id}: the inbox loop's state",
    }),
  })
  .openapi('Mailbox');

const address = z
  .string()
  .trim()
  .max(320)
  .refine((v) => normalizeEmail(v) !== null, { message: 'not a valid email address' })
  .openapi({ example: 'john@cooloutreach.com' });

/** A name that goes into the From header: CR/LF or other control characters → 422 (header injection). */
const headerName = () =>
  z
    .string()
    .refine((v) => ![...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127), {
      message: 'must not contain line breaks or other control characters (it goes into the From header)',
    })
    .trim()
    .max(100);

export const CreateMailboxBody = z
  .object({
    address,
    firstName: headerName().min(1).openapi({ example: 'John' }),
    lastName: headerName().nullable().optional(),
    signatureHtml: z.string().max(20_000).nullable().optional(),
    dailyLimit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .openapi({ description: 'default 50', example: 50 }),
    smtp: ServerInput,
    imap: ServerInput,
  })
  .openapi('CreateMailbox');

export const UpdateMailboxBody = z
  .object({
    firstName: headerName().min(1).optional(),
    lastName: headerName().nullable().optional(),
    signatureHtml: z.string().max(20_000).nullable().optional(),
    dailyLimit: z.number().int().min(1).max(100_000).optional(),
    smtp: ServerPatch.optional(),
    imap: ServerPatch.optional(),
  })
  .openapi('UpdateMailbox');

export const MailboxIdParam = z.object({ id: pathId('id', 'mbx', 'mbx_501') });

export function toMailbox(m: MailboxRow): z.infer<typeof MailboxSchema> {
  const check = (c: { ok: boolean; error?: string } | null) =>
    c ? { ok: c.ok, ...(c.error ? { error: c.error } : {}) } : null;
  return {
    id: m.id,
    address: m.address,
    firstName: m.firstName,
    lastName: m.lastName,
    signatureHtml: m.signatureHtml,
    dailyLimit: m.dailyLimit,
    status: m.status,
    smtp: { host: m.smtp.host, port: m.smtp.port, secure: m.smtp.secure, username: m.smtp.username },
    imap: { host: m.imap.host, port: m.imap.port, secure: m.imap.secure, username: m.imap.username },
    lastCheck: { smtp: check(m.lastCheck.smtp), imap: check(m.lastCheck.imap), at: iso(m.lastCheck.at) },
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}
