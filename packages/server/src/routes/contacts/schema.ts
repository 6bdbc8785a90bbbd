import { z } from '@hono/zod-openapi';
import { CONTACT_STATUSES, type Contact, type ContactChange, iso } from '@outreach/shared';
import { customJsonField, Timestamp } from '../../lib/schemas';

export const ContactStatusSchema = z.enum(CONTACT_STATUSES).openapi('ContactStatus', { example: 'pending' });

export const ContactSchema = z
  .object({
    id: z.string().openapi({ example: 'cnt_001' }),
    campaignId: z.string().openapi({ example: 'cmp_abc123' }),
    email: z.string().openapi({ example: 'sarah@acme.com' }),
    name: z
      .string()
      .nullable()
      .openapi({ example: 'Sarah Chen', description: 'first + last name; null when both are empty' }),
    status: ContactStatusSchema,
    customJson: z.record(z.string(), z.unknown()).openapi({
      example: { company: 'Acme Corp', title: 'VP Sales' },
      description: 'company, title and every custom column',
    }),
    createdAt: Timestamp,
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    currentStep: z
      .number()
      .int()
      .openapi({ description: 'order of the last step sent in its sequence (0 = none yet)' }),
    subsequenceId: z.string().nullable().openapi({
      description: 'the subsequence the contact is in (or finished last); null: the main sequence',
    }),
    lastSentAt: Timestamp.nullable(),
    updatedAt: Timestamp,
  })
  .openapi('Contact');

export function toContact(c: Contact): z.infer<typeof ContactSchema> {
  const name = [c.firstName, c.lastName].filter((v) => v !== null && v !== '').join(' ');
  return {
    id: c.id,
    campaignId: c.campaignId,
    email: c.email,
    name: name === '' ? null : name,
    status: c.status,
    customJson: c.customJson,
    createdAt: iso(c.createdAt),
    firstName: c.firstName,
    lastName: c.lastName,
    currentStep: c.currentStep,
    subsequenceId: c.subsequenceId,
    lastSentAt: iso(c.lastSentAt),
    updatedAt: iso(c.updatedAt),
  };
}

export const RowErrorSchema = z
  .object({
    row: z.number().int().openapi({
      description:
        'row number in the file, the header being row 1 (blank rows skipped); index in `contacts` for the JSON add',
    }),
    email: z.string(),
    reason: z.string().openapi({ example: 'invalid email' }),
  })
  .openapi('ImportRowError');

export const ImportCountsSchema = z
  .object({
    imported: z.number().int().openapi({
      example: 2,
      description:
        'contacts stored: distinct addresses among the valid rows (a repeated address is one contact)',
    }),
    duplicates: z.number().int().openapi({
      example: 0,
      description:
        '(ext) valid rows repeating an address earlier in the same input (valid = imported + duplicates)',
    }),
    parsed: z.number().int().openapi({ example: 2, description: 'data rows read (= valid + invalid)' }),
    valid: z.number().int().openapi({ example: 2 }),
    invalid: z
      .number()
      .int()
      .openapi({ example: 0, description: 'rows with an empty or invalid email: counted, never stored' }),
    upserted: z.number().int().openapi({
      example: 2,
      description: 'distinct contacts created or updated (equals imported)',
    }),
    created: z
      .number()
      .int()
      .openapi({ example: 2, description: '(ext) contacts that did not exist before' }),
    errors: z.array(RowErrorSchema).openapi({ description: '(ext) the first 100 invalid rows' }),
  })
  .openapi('ImportCounts');

export const CampaignParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'cmp_abc123' }),
});

export const ContactParams = CampaignParam.extend({
  contactId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'contactId', in: 'path' }, example: 'cnt_001' }),
});

const field = (max: number) => z.string().max(max).nullable().optional();

export const ContactInputSchema = z
  .object({
    email: z.string().max(320).openapi({ example: 'sarah@acme.com' }),
    firstName: field(200),
    lastName: field(200),
    company: field(300),
    title: field(300),
    customJson: customJsonField().nullable().optional(),
  })
  .openapi('ContactInput');

export const AddContactsBody = z
  .object({ contacts: z.array(ContactInputSchema).min(1).max(1000) })
  .openapi('AddContacts');

export const UpdateContactBody = z
  .object({
    email: z.string().max(320).optional(),
    firstName: field(200),
    lastName: field(200),
    company: field(300),
    title: field(300),
    customJson: customJsonField()
      .optional()
      .openapi({ description: 'merged into the stored fields; a key set to null is removed' }),
    status: ContactStatusSchema.optional().openapi({
      description: 'a manual status change (written with its event, like every change)',
    }),
  })
  .openapi('UpdateContact');

export const ContactChangeSchema = z
  .object({
    contactId: z.string().openapi({ example: 'cnt_001' }),
    email: z.string().openapi({ example: 'sarah@acme.com' }),
    status: ContactStatusSchema,
    previousStatus: ContactStatusSchema.nullable().openapi({ description: 'null for a new contact' }),
    updatedAt: Timestamp,
  })
  .openapi('ContactChange');

export function toChange(c: ContactChange): z.infer<typeof ContactChangeSchema> {
  return { ...c, updatedAt: iso(c.updatedAt) };
}
