import { createRoute, z } from '@hono/zod-openapi';
import { AppError, applyUnsubscribe } from '@outreach/shared';
import type { Context } from 'hono';
import type { App } from '../../app';
import type { AppEnv } from '../../env';
import { donePage, invalidPage, PAGE_HEADERS } from './html';
import { html, OneClickBody, TokenParam, UnsubscribedSchema } from './schema';

export const unsubscribeRoute = createRoute({
  method: 'post',
  path: '/u/{token}',
  operationId: 'unsubscribe.confirm',
  tags: ['Unsubscribe'],
  summary: 'Unsubscribe (public; RFC 8058 one-click)',
  description:
    'Unsubscribes at once: the contact becomes `unsubscribed` (its waiting sends canceled, a `contact.unsubscribed` event), ' +
    'and the address is suppressed workspace-wide with reason `unsubscribed`. Repeating it is harmless. ' +
    "Mail clients POST `List-Unsubscribe=One-Click` (or nothing) and get JSON; the confirm page's button gets an HTML page.",
  security: [],
  request: {
    params: TokenParam,
    body: { required: false, content: { 'application/x-www-form-urlencoded': { schema: OneClickBody } } },
  },
  responses: {
    200: {
      description: 'Unsubscribed (JSON for one-click, HTML for the confirm page)',
      content: { 'application/json': { schema: UnsubscribedSchema }, 'text/html': { schema: z.string() } },
    },
    404: html('The token is malformed, forged, or points at nothing (problem+json for one-click)'),
  },
});

/** The form fields of the request, if it has a form body (urlencoded or multipart). */
async function formFields(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) return {};
  try {
    return (await c.req.parseBody()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function registerUnsubscribe(app: App): void {
  app.openapi(unsubscribeRoute, async (c) => {
    const { db, secrets, clock } = c.get('deps');
    const fields = await formFields(c);
    // The confirm page's button (or a browser asking for HTML) gets pages; mail clients get JSON.
    const fromPage =
      fields.confirm !== undefined ||
      (fields['List-Unsubscribe'] === undefined && /text\/html/i.test(c.req.header('accept') ?? ''));
    const source = fromPage ? 'link' : 'one_click';
    const result = await applyUnsubscribe(db, secrets, c.req.valid('param').token, {
      source,
      now: clock.now(),
    });
    if (!result) {
      if (fromPage) return c.body(invalidPage(), 404, PAGE_HEADERS);
      throw new AppError('not_found', 'This unsubscribe link is not valid');
    }
    if (fromPage) return c.body(donePage(result.target.email, !result.changed), 200, PAGE_HEADERS);
    return c.json(
      { ok: true as const, status: 'unsubscribed' as const, alreadyUnsubscribed: !result.changed },
      200,
    );
  });
}
