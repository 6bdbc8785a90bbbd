import { createRoute } from '@hono/zod-openapi';
import { verifyMailbox } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { liveMailboxChecker } from './checker';
import { MailboxIdParam, MailboxSchema, toMailbox } from './schema';

export const verifyMailboxRoute = createRoute({
  method: 'post',
  path: '/mailboxes/{id}/verify',
  operationId: 'mailboxes.verify',
  tags: ['Mailboxes'],
  summary: 'Log in to SMTP and IMAP now (with a timeout); the result is stored in lastCheck',
  description:
    "Answers 200 with the mailbox whether or not the logins worked: `lastCheck.smtp`/`lastCheck.imap` carry `ok` and, on failure, the server's own words (e.g. `535 Authentication credentials invalid`); `status` becomes `verified` when both worked, else `failing`. Each host is resolved once and the login connects to that address; a private, loopback, link-local, CGNAT or ULA address is refused without connecting unless `OUTREACH_MAILBOX_ALLOW_PRIVATE=true` (also at create/update: 422 naming `smtp.host`/`imap.host`). A greeting that is not SMTP/IMAP is not echoed.",
  request: { params: MailboxIdParam, query: WorkspaceQuery, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'The mailbox with its new lastCheck',
      content: { 'application/json': { schema: MailboxSchema } },
    },
    ...errorResponses,
  },
});

export function registerVerifyMailbox(app: App): void {
  app.openapi(verifyMailboxRoute, async (c) => {
    const row = await verifyMailbox(
      c.get('deps'),
      liveMailboxChecker,
      c.get('workspaceId'),
      c.req.valid('param').id,
    );
    return c.json(toMailbox(row), 200);
  });
}
