import { createRoute } from '@hono/zod-openapi';
import { resolveUnsubscribeToken } from '@outreach/shared';
import type { App } from '../../app';
import { confirmPage, donePage, invalidPage, PAGE_HEADERS } from './html';
import { html, TokenParam } from './schema';

export const unsubscribePageRoute = createRoute({
  method: 'get',
  path: '/u/{token}',
  operationId: 'unsubscribe.page',
  tags: ['Unsubscribe'],
  summary: 'The unsubscribe confirm page (public)',
  description:
    'A small HTML page whose button POSTs to the same URL. Opening it never unsubscribes anyone: mail security scanners open links.',
  security: [],
  request: { params: TokenParam },
  responses: {
    200: html('The confirm page (or, when already unsubscribed, a page saying so)'),
    404: html('The token is malformed, forged, or points at nothing'),
  },
});

export function registerUnsubscribePage(app: App): void {
  app.openapi(unsubscribePageRoute, async (c) => {
    const { db, secrets } = c.get('deps');
    const target = await resolveUnsubscribeToken(db, secrets, c.req.valid('param').token);
    if (!target) return c.body(invalidPage(), 404, PAGE_HEADERS);
    const page = target.status === 'unsubscribed' ? donePage(target.email, true) : confirmPage(target.email);
    return c.body(page, 200, PAGE_HEADERS);
  });
}
