import { z } from '@hono/zod-openapi';
import {
  BLOCKING_CHECKS,
  iso,
  type MailboxPreflightItem,
  type PreflightResult,
  WARNING_CHECKS,
} from '@outreach/shared';
import { Timestamp } from '../../lib/schemas';
import { ConnectionCheckSchema, InboxStateSchema, toInboxState } from '../mailboxes/schema';

export const PreflightCheckName = z.enum([...BLOCKING_CHECKS, ...WARNING_CHECKS]);

export const PreflightCheckSchema = z
  .object({
    name: PreflightCheckName,
    passed: z.boolean(),
    detail: z
      .string()
      .optional()
      .openapi({ example: 'john@cooloutreach.com: SMTP 535 Authentication credentials invalid' }),
    blocking: z.boolean().openapi({ description: 'false for warnings, which never block a launch' }),
  })
  .openapi('PreflightCheck');

export const PreflightSchema = z
  .object({
    checks: z.array(PreflightCheckSchema),
    blockingFailures: z.array(PreflightCheckName),
    summary: z.string().openapi({ example: 'All checks passed. Ready to launch.' }),
  })
  .openapi('Preflight');

export const MailboxPreflightItemSchema = z
  .object({
    campaignMailboxId: z.string().openapi({ example: 'cmb_001' }),
    mailboxId: z.string().openapi({ example: 'mbx_501' }),
    address: z.string().openapi({ example: 'john@cooloutreach.com' }),
    smtp: ConnectionCheckSchema,
    imap: ConnectionCheckSchema,
    dailyLimit: z.number().int(),
    sentToday: z.number().int().openapi({ description: 'sends of this campaign mailbox in the last 24 h' }),
    state: z.enum(['active', 'paused']),
    checkedAt: Timestamp.nullable(),
    inbox: InboxStateSchema,
  })
  .openapi('MailboxPreflightItem');

export const MailboxPreflightSchema = z
  .object({ items: z.array(MailboxPreflightItemSchema) })
  .openapi('MailboxPreflight');

export function toPreflight(r: PreflightResult): z.infer<typeof PreflightSchema> {
  return {
    checks: r.checks.map((c) => ({
      name: c.name,
      passed: c.passed,
      ...(c.detail ? { detail: c.detail } : {}),
      blocking: c.blocking,
    })),
    blockingFailures: r.blockingFailures,
    summary: r.summary,
  };
}

export function toMailboxPreflightItem(i: MailboxPreflightItem): z.infer<typeof MailboxPreflightItemSchema> {
  return { ...i, checkedAt: iso(i.checkedAt), inbox: toInboxState(i.inbox) };
}
