/**
 * Steps of a campaign's main sequence (API.md, "Steps"): create, list, update, delete, each with
 * its `steps.*` event written in the same transaction as the change.
 *
 * - `order` is unique within (campaign, subsequence): the write itself is conditional
 *   (`INSERT … SELECT … WHERE NOT EXISTS`), so two concurrent requests cannot both take an order;
 *   each write and its event go in one batch, the event only when the write took effect.
 * - Templates are checked with `validateTemplate`; paths name the field (`subject`,
 *   `variants.1.bodyHtml`); a template over the render budget (sections nested too deep) is a 422
 *   `template_too_complex`.
 * - A variant field left out (null) falls back to the step's: a step may leave `subject` or
 *   `bodyHtml` empty only when every variant carries its own.
 * - A step that already has sends cannot be deleted, nor moved to another `order` (the sending
 *   engine tracks each contact's progress by order).
 */
import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaigns, sends, steps, type Variant } from '../db/schema/index';
import { TEMPLATE_TOO_COMPLEX, type TemplateIssue, validateTemplate } from '../domain/template';
import { AppError, type FieldError } from '../errors';
import { eventInsertIfChanged } from '../events';
import { newId } from '../ids';
import { getCampaign } from './campaigns';

export type StepRow = typeof steps.$inferSelect;

export const DAY_SECONDS = 86_400;
/** The longest delay a step may have: one year. */
export const MAX_DELAY_SECONDS = 365 * DAY_SECONDS;
export const MAX_VARIANTS = 26;

export interface VariantInput {
  /** on update: the id of an existing variant of this step, to keep it (and its contacts' draws). */
  id?: string;
  subject?: string | null;
  bodyHtml?: string | null;
  bodyText?: string | null;
  weight: number;
}

export interface StepInput {
  order: number;
  subject?: string | null;
  bodyHtml?: string | null;
  bodyText?: string | null;
  delayDays?: number;
  delaySeconds?: number;
  variants?: VariantInput[];
}

export type StepPatch = Partial<StepInput>;

export interface StepScope {
  /** null (default): the main sequence. */
  subsequenceId?: string | null;
}

const blank = (s: string | null | undefined) => s === null || s === undefined || s.trim() === '';

function delayOf(
  input: { delayDays?: number; delaySeconds?: number },
  errors: FieldError[],
): number | undefined {
  if (input.delayDays !== undefined && input.delaySeconds !== undefined) {
    const message = 'give delayDays or delaySeconds, not both';
    errors.push({ path: 'delayDays', message }, { path: 'delaySeconds', message });
    return undefined;
  }
  if (input.delayDays !== undefined) return Math.round(input.delayDays * DAY_SECONDS);
  return input.delaySeconds;
}

/** Template issues as field errors under `at(path)`; those over the budget are also noted in `complex`. */
function templateErrors(
  issues: readonly TemplateIssue[],
  at: (path: string) => string,
  errors: FieldError[],
  complex: string[],
): void {
  for (const issue of issues) {
    errors.push({ path: at(issue.path), message: issue.message });
    if (issue.code === TEMPLATE_TOO_COMPLEX) complex.push(at(issue.path));
  }
}

/** The 422 for a step's content: `template_too_complex` when a template is over the budget. */
function contentProblem(errors: FieldError[], complex: readonly string[]): AppError {
  if (complex.length === 0) return AppError.validation(errors);
  return new AppError(
    TEMPLATE_TOO_COMPLEX,
    `Template too complex to render within the budget: ${complex.join(', ')}`,
    { errors },
  );
}

/**
 * Checks the content a step would have once written (templates, required fields, variants) and
 * builds its variants, keeping the ids of `existing` variants that an item names.
 */
function checkContent(
  step: { subject: string; bodyHtml: string; bodyText: string | null },
  variantsIn: VariantInput[] | undefined,
  existing: readonly Variant[],
  now: number,
  errors: FieldError[],
  complex: string[],
  /** a subsequence step without a subject sends `Re: <the thread's subject>`. */
  subjectOptional = false,
): Variant[] | undefined {
  templateErrors(validateTemplate(step), (p) => p, errors, complex);
  const hasVariants = variantsIn !== undefined && variantsIn.length > 0;
  if (!hasVariants) {
    if (blank(step.subject) && !subjectOptional)
      errors.push({ path: 'subject', message: 'subject is required' });
    if (blank(step.bodyHtml)) errors.push({ path: 'bodyHtml', message: 'bodyHtml is required' });
  }
  if (variantsIn === undefined) return undefined;
  if (variantsIn.length > MAX_VARIANTS) {
    errors.push({ path: 'variants', message: `at most ${MAX_VARIANTS} variants` });
    return undefined;
  }
  const known = new Map(existing.map((v) => [v.id, v]));
  const seen = new Set<string>();
  const out: Variant[] = [];
  variantsIn.forEach((v, i) => {
    const at = (f: string) => `variants.${i}.${f}`;
    templateErrors(validateTemplate(v), at, errors, complex);
    if (blank(v.subject) && blank(step.subject) && !subjectOptional) {
      errors.push({
        path: at('subject'),
        message: 'subject is required when the step has no subject of its own',
      });
    }
    if (blank(v.bodyHtml) && blank(step.bodyHtml)) {
      errors.push({
        path: at('bodyHtml'),
        message: 'bodyHtml is required when the step has no bodyHtml of its own',
      });
    }
    let id = newId('variant', now);
    if (v.id !== undefined) {
      if (!known.has(v.id)) {
        errors.push({
          path: at('id'),
          message: `${v.id} is not a variant of this step (leave id out for a new variant)`,
        });
      } else if (seen.has(v.id)) {
        errors.push({ path: at('id'), message: `${v.id} is listed twice` });
      } else {
        id = v.id;
      }
      seen.add(v.id);
    }
    out.push({
      id,
      subject: blank(v.subject) ? null : (v.subject as string),
      bodyHtml: blank(v.bodyHtml) ? null : (v.bodyHtml as string),
      bodyText: blank(v.bodyText) ? null : (v.bodyText as string),
      weight: v.weight,
    });
  });
  if (hasVariants && !variantsIn.some((v) => v.weight > 0)) {
    errors.push({ path: 'variants', message: 'at least one variant needs a weight above 0' });
  }
  return out;
}

/** The query of a step of the same sequence, other than `exceptId`, that holds `order`. */
function orderClash(
  campaignId: string,
  subsequenceId: string | null,
  order: number,
  exceptId: string | null,
): SQL {
  return sql`SELECT 1 FROM steps AS o WHERE o.campaign_id = ${campaignId} AND o.subsequence_id IS ${subsequenceId}
             AND o.position = ${order} AND o.id IS NOT ${exceptId}`;
}

const sameSequence = (subsequenceId: string | null): SQL =>
  subsequenceId === null ? isNull(steps.subsequenceId) : eq(steps.subsequenceId, subsequenceId);

function orderTaken(order: number): AppError {
  return new AppError('conflict', `This campaign already has a step with order ${order}`, {
    errors: [{ path: 'order', message: `order ${order} is taken by another step` }],
  });
}

export async function createStep(
  db: Db,
  workspaceId: number,
  campaignId: string,
  input: StepInput,
  now: number,
  scope: StepScope = {},
): Promise<StepRow> {
  await getCampaign(db, workspaceId, campaignId);
  const subsequenceId = scope.subsequenceId ?? null;
  const errors: FieldError[] = [];
  const delaySeconds = delayOf(input, errors) ?? 0;
  const content = {
    subject: input.subject ?? '',
    bodyHtml: input.bodyHtml ?? '',
    bodyText: blank(input.bodyText) ? null : (input.bodyText as string),
  };
  const complex: string[] = [];
  const variants =
    checkContent(content, input.variants, [], now, errors, complex, subsequenceId !== null) ?? [];
  if (errors.length > 0) throw contentProblem(errors, complex);

  const row: StepRow = {
    id: newId('step', now),
    campaignId,
    subsequenceId,
    order: input.order,
    ...content,
    delaySeconds,
    variants,
    createdAt: now,
    updatedAt: now,
  };
  const [insert] = await db.orm.batch([
    db.orm.run(
      sql`INSERT INTO steps (id, campaign_id, subsequence_id, position, subject, body_html, body_text, delay_seconds,
                             variants, created_at, updated_at)
          SELECT ${row.id}, ${campaignId}, ${subsequenceId}, ${row.order}, ${row.subject}, ${row.bodyHtml}, ${row.bodyText},
                 ${row.delaySeconds}, ${JSON.stringify(row.variants)}, ${now}, ${now}
          WHERE NOT EXISTS (${orderClash(campaignId, subsequenceId, row.order, null)})`,
    ),
    eventInsertIfChanged(
      db.orm,
      {
        workspaceId,
        type: 'steps.created',
        campaignId,
        data: { stepId: row.id, order: row.order, subsequenceId },
      },
      now,
    ),
  ]);
  if (insert.rowsAffected === 0) throw orderTaken(input.order);
  return row;
}

/** The steps of a campaign's main sequence (or of one subsequence), by order. */
export async function listSteps(
  db: Db,
  workspaceId: number,
  campaignId: string,
  scope: StepScope = {},
): Promise<StepRow[]> {
  await getCampaign(db, workspaceId, campaignId);
  return db.orm
    .select()
    .from(steps)
    .where(and(eq(steps.campaignId, campaignId), sameSequence(scope.subsequenceId ?? null)))
    .orderBy(asc(steps.order), asc(steps.id));
}

/** A step whose campaign belongs to this workspace, or 404. */
export async function getStep(db: Db, workspaceId: number, stepId: string): Promise<StepRow> {
  const rows = await db.orm
    .select({ step: steps })
    .from(steps)
    .innerJoin(campaigns, eq(campaigns.id, steps.campaignId))
    .where(and(eq(steps.id, stepId), eq(campaigns.workspaceId, workspaceId)))
    .limit(1);
  const row = rows[0];
  if (!row) throw AppError.notFound('Step', stepId);
  return row.step;
}

async function sendCount(db: Db, stepId: string): Promise<number> {
  const rows = await db.orm.select({ n: sql<number>`count(*)` }).from(sends).where(eq(sends.stepId, stepId));
  return Number(rows[0]?.n ?? 0);
}

/**
 * Changes any field of a step. `variants`, when given, replaces the list; an item that carries the
 * `id` of one of the step's variants keeps it. `bodyText: null` goes back to deriving it from HTML.
 */
export async function updateStep(
  db: Db,
  workspaceId: number,
  stepId: string,
  patch: StepPatch,
  now: number,
): Promise<StepRow> {
  const current = await getStep(db, workspaceId, stepId);
  const errors: FieldError[] = [];
  const delaySeconds = delayOf(patch, errors);
  const content = {
    subject: patch.subject !== undefined ? (patch.subject ?? '') : current.subject,
    bodyHtml: patch.bodyHtml !== undefined ? (patch.bodyHtml ?? '') : current.bodyHtml,
    bodyText:
      patch.bodyText !== undefined
        ? blank(patch.bodyText)
          ? null
          : (patch.bodyText as string)
        : current.bodyText,
  };
  // Unchanged variants are still checked against the step's new subject/body (a step may not lose
  // the content its variants fall back to).
  const variantsIn: VariantInput[] = patch.variants ?? current.variants.map((v) => ({ ...v }));
  const complex: string[] = [];
  const variants =
    checkContent(
      content,
      variantsIn,
      current.variants,
      now,
      errors,
      complex,
      current.subsequenceId !== null,
    ) ?? current.variants;
  if (errors.length > 0) throw contentProblem(errors, complex);

  const order = patch.order ?? current.order;
  const next: StepRow = {
    ...current,
    ...content,
    order,
    delaySeconds: delaySeconds ?? current.delaySeconds,
    variants: patch.variants !== undefined ? variants : current.variants,
    updatedAt: now,
  };
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  const moving = order !== current.order;
  const [update] = await db.orm.batch([
    db.orm
      .update(steps)
      .set({
        subject: next.subject,
        bodyHtml: next.bodyHtml,
        bodyText: next.bodyText,
        order: next.order,
        delaySeconds: next.delaySeconds,
        variants: next.variants,
        updatedAt: now,
      })
      .where(
        and(
          eq(steps.id, stepId),
          moving
            ? sql`NOT EXISTS (${orderClash(current.campaignId, current.subsequenceId, order, stepId)})`
            : undefined,
          moving ? sql`NOT EXISTS (SELECT 1 FROM sends WHERE step_id = ${stepId})` : undefined,
        ),
      ),
    eventInsertIfChanged(
      db.orm,
      { workspaceId, type: 'steps.updated', campaignId: current.campaignId, data: { stepId, order, fields } },
      now,
    ),
  ]);
  let outcome: 'ok' | 'taken' | 'sent' | 'gone' = 'ok';
  if (update.rowsAffected === 0) {
    // Find out which condition refused the write.
    const still = await db.orm.select({ id: steps.id }).from(steps).where(eq(steps.id, stepId));
    if (still.length === 0) outcome = 'gone';
    else if (
      (await db.orm.all(orderClash(current.campaignId, current.subsequenceId, order, stepId))).length > 0
    )
      outcome = 'taken';
    else outcome = 'sent';
  }
  if (outcome === 'taken') throw orderTaken(order);
  if (outcome === 'sent') {
    throw new AppError(
      'conflict',
      `Step ${stepId} has already been sent to contacts; its order cannot change`,
      {
        errors: [{ path: 'order', message: 'this step has sends; add a new step instead of moving it' }],
      },
    );
  }
  if (outcome === 'gone') throw AppError.notFound('Step', stepId);
  return next;
}

/** Deletes a step that nobody has been sent yet; 409 once it has sends. */
export async function deleteStep(db: Db, workspaceId: number, stepId: string, now: number): Promise<void> {
  const current = await getStep(db, workspaceId, stepId);
  const [del] = await db.orm.batch([
    db.orm.run(
      sql`DELETE FROM steps WHERE id = ${stepId} AND NOT EXISTS (SELECT 1 FROM sends WHERE step_id = ${stepId})`,
    ),
    eventInsertIfChanged(
      db.orm,
      {
        workspaceId,
        type: 'steps.deleted',
        campaignId: current.campaignId,
        data: { stepId, order: current.order },
      },
      now,
    ),
  ]);
  if (del.rowsAffected > 0) return;
  const n = await sendCount(db, stepId);
  if (n === 0) throw AppError.notFound('Step', stepId);
  throw new AppError(
    'conflict',
    `Step ${stepId} has ${n} send(s) and cannot be deleted; edit it, or pause the campaign and add a new step`,
    { sends: n },
  );
}
