import { createRoute } from '@hono/zod-openapi';
import {
  AppError,
  renderStep,
  TEMPLATE_TOO_COMPLEX,
  TemplateError,
  TemplateTooComplexError,
  templateVars,
  validateTemplate,
} from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { PreviewBody, PreviewSchema } from './schema';

export const previewStepRoute = createRoute({
  method: 'post',
  path: '/campaigns/steps/preview',
  operationId: 'steps.preview',
  tags: ['Steps'],
  summary: 'Render a step for one contact',
  description:
    'Values are HTML-escaped in bodyHtml, raw in subject and bodyText; CR/LF are stripped from the subject; `{{name|fallback}}` renders the fallback for an empty value. Keys of `contact` other than email, firstName, lastName, company, title and customJson are custom fields. `{{unsubscribeUrl}}` renders a sample link. A template whose render goes over the budget (sections nested more than 8 deep, more than 100,000 render steps or 500,000 characters) is a 422 `template_too_complex` naming the field.',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: PreviewBody } } },
  },
  responses: {
    200: { description: 'The rendered step', content: { 'application/json': { schema: PreviewSchema } } },
    ...errorResponses,
  },
});

const CONTACT_FIELDS = new Set(['email', 'firstName', 'lastName', 'company', 'title', 'customJson']);

export function registerPreviewStep(app: App): void {
  app.openapi(previewStepRoute, async (c) => {
    const { step, contact, sender } = c.req.valid('json');
    const issues = validateTemplate(step);
    if (issues.length > 0) {
      const errors = issues.map((i) => ({ path: `step.${i.path}`, message: i.message }));
      if (issues.some((i) => i.code === TEMPLATE_TOO_COMPLEX))
        throw new AppError(TEMPLATE_TOO_COMPLEX, errors.map((e) => e.message).join('; '), { errors });
      throw AppError.validation(errors);
    }
    const custom: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(contact)) if (!CONTACT_FIELDS.has(k)) custom[k] = v;
    const vars = templateVars(
      {
        email: contact.email,
        firstName: contact.firstName,
        lastName: contact.lastName,
        company: contact.company,
        title: contact.title,
        customJson: { ...custom, ...(contact.customJson ?? {}) },
      },
      sender ?? null,
      { unsubscribeUrl: `${c.get('deps').config.publicUrl}/u/preview` },
    );
    try {
      return c.json(renderStep(step, vars), 200);
    } catch (err) {
      if (err instanceof TemplateTooComplexError)
        throw new AppError(TEMPLATE_TOO_COMPLEX, err.message, {
          errors: [{ path: `step.${err.field}`, message: err.detail }],
        });
      if (err instanceof TemplateError)
        throw AppError.validation([{ path: `step.${err.field}`, message: err.detail }]);
      throw err;
    }
  });
}
