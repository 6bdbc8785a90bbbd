/**
 * CSV column → contact field mapping: suggestions for the mapping preview, and the compiled
 * plan used by the sync import and the `mapping-confirm` flow.
 */

export const CONTACT_FIELDS = ['email', 'firstName', 'lastName', 'company', 'title'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/** Longest accepted name for a mapping target / custom field. */
export const MAX_FIELD_NAME = 100;

import type { FieldError } from '../errors';

export type { FieldError };

export class MappingError extends Error {
  override readonly name = 'MappingError';
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; ') || 'invalid mapping');
    this.errors = errors;
  }
}

/** Lower-case, drop spaces, `_`, `-` and `.`: `First Name`, `first_name`, `FIRST-NAME` → `firstname`. */
function headerKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');
}

const SYNONYMS: Record<ContactField, readonly string[]> = {
  email: ['email', 'emailaddress', 'emailaddr', 'mail', 'mailaddress'],
  firstName: ['firstname', 'first', 'givenname', 'fname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'lname'],
  company: [
    'company',
    'companyname',
    'org',
    'organization',
    'organisation',
    'organizationname',
    'organisationname',
    'account',
    'accountname',
  ],
  title: ['title', 'jobtitle', 'role', 'position'],
};

const BY_KEY = new Map<string, ContactField>();
for (const field of CONTACT_FIELDS) for (const key of SYNONYMS[field]) BY_KEY.set(key, field);

const FIELD_BY_KEY = new Map<string, ContactField>(CONTACT_FIELDS.map((f) => [f.toLowerCase(), f]));

/** The contact field a CSV header stands for (any case, `_`/space/`-` variants, synonyms), or null. */
export function suggestField(header: string): ContactField | null {
  return BY_KEY.get(headerKey(header)) ?? null;
}

/**
 * Suggested mapping for the mapping preview: every column → field or null. When two columns
 * suggest the same field the first one wins and the others get null. Duplicate column names keep
 * the suggestion of their first occurrence.
 */
export function suggestMapping(headers: readonly string[]): Record<string, ContactField | null> {
  const used = new Set<ContactField>();
  const entries = new Map<string, ContactField | null>();
  for (const header of headers) {
    if (entries.has(header)) continue;
    const field = suggestField(header);
    if (field !== null && !used.has(field)) {
      used.add(field);
      entries.set(header, field);
    } else {
      entries.set(header, null);
    }
  }
  // fromEntries defines own properties, so a column named `__proto__` stays a plain key.
  return Object.fromEntries(entries);
}

export interface CustomColumn {
  index: number;
  name: string;
}

/** A compiled mapping: column indexes of the known fields (null when unmapped) and custom columns. */
export interface MappingPlan {
  emailIndex: number;
  firstNameIndex: number | null;
  lastNameIndex: number | null;
  companyIndex: number | null;
  titleIndex: number | null;
  custom: CustomColumn[];
}

/** Mapping as posted to `mapping-confirm`: csv column → field name, custom name, or null (drop). */
export type ColumnMapping = Readonly<Record<string, string | null | undefined>>;

const INDEX_KEY = {
  email: 'emailIndex',
  firstName: 'firstNameIndex',
  lastName: 'lastNameIndex',
  company: 'companyIndex',
  title: 'titleIndex',
} as const satisfies Record<ContactField, keyof MappingPlan>;

const RESERVED = new Set<string>(CONTACT_FIELDS);

/** A mapping target naming a known field: exact name, or any case/`_`/space/`-` variant of it. */
function targetField(target: string): ContactField | null {
  return FIELD_BY_KEY.get(headerKey(target)) ?? null;
}

/**
 * Compiles the column plan for a header row.
 *
 * - Without `mapping` (sync import): recognised columns (see {@link suggestField}) become fields,
 *   the first column winning a contested field; every other non-empty column becomes a custom
 *   field named after its header (a later column whose header is literally a field name, e.g. a
 *   second `company`, is dropped rather than shadowing the field).
 * - With `mapping` (`mapping-confirm`): a column mapped to null or absent is dropped; mapped to a
 *   known field name (or a case/`_`/space variant of it: `first_name`) → that field; any other
 *   name → a custom field of that name.
 *
 * Only the first of several columns with the same header name is considered.
 * Throws {@link MappingError} listing every problem: no column for email, a mapping key that is
 * not a column, two columns on the same field or custom name, a target empty or over 100 chars.
 */
export function resolveMapping(headers: readonly string[], mapping?: ColumnMapping | null): MappingPlan {
  const errors: FieldError[] = [];
  const plan: MappingPlan = {
    emailIndex: -1,
    firstNameIndex: null,
    lastNameIndex: null,
    companyIndex: null,
    titleIndex: null,
    custom: [],
  };
  const fieldOwner = new Map<ContactField, string>();
  const customNames = new Set<string>();
  const seen = new Set<string>();

  const setField = (field: ContactField, index: number, column: string) => {
    fieldOwner.set(field, column);
    plan[INDEX_KEY[field]] = index;
  };

  if (mapping === undefined || mapping === null) {
    headers.forEach((raw, index) => {
      const header = raw.trim();
      if (header === '' || seen.has(header)) return;
      seen.add(header);
      const field = suggestField(header);
      if (field !== null && !fieldOwner.has(field)) {
        setField(field, index, header);
        return;
      }
      if (RESERVED.has(header) || customNames.has(header)) return;
      if (header.length > MAX_FIELD_NAME) {
        errors.push({
          path: `columns[${index}]`,
          message: `column name longer than ${MAX_FIELD_NAME} characters`,
        });
        return;
      }
      customNames.add(header);
      plan.custom.push({ index, name: header });
    });
    if (!fieldOwner.has('email')) errors.push({ path: 'columns', message: 'no column maps to email' });
  } else {
    const columns = new Set(headers);
    for (const key of Object.keys(mapping)) {
      if (!columns.has(key))
        errors.push({ path: `mapping.${key}`, message: `'${key}' is not a column of the file` });
    }
    headers.forEach((header, index) => {
      if (seen.has(header)) return;
      seen.add(header);
      if (!Object.hasOwn(mapping, header)) return;
      const value: unknown = mapping[header];
      if (value === null || value === undefined) return;
      const path = `mapping.${header}`;
      if (typeof value !== 'string') {
        errors.push({ path, message: 'must be a field name or null' });
        return;
      }
      const target = value.trim();
      if (target === '') {
        errors.push({ path, message: 'target name is empty' });
        return;
      }
      if (target.length > MAX_FIELD_NAME) {
        errors.push({ path, message: `target name longer than ${MAX_FIELD_NAME} characters` });
        return;
      }
      const field = targetField(target);
      if (field !== null) {
        const owner = fieldOwner.get(field);
        if (owner !== undefined) {
          errors.push({ path, message: `'${field}' is already mapped from column '${owner}'` });
          return;
        }
        setField(field, index, header);
        return;
      }
      if (customNames.has(target)) {
        errors.push({ path, message: `custom field '${target}' is already mapped from another column` });
        return;
      }
      customNames.add(target);
      plan.custom.push({ index, name: target });
    });
    if (!fieldOwner.has('email')) errors.push({ path: 'mapping', message: 'no column is mapped to email' });
  }

  if (errors.length > 0) throw new MappingError(errors);
  return plan;
}

/** Non-throwing variant of {@link resolveMapping}. */
export function tryResolveMapping(
  headers: readonly string[],
  mapping?: ColumnMapping | null,
): { ok: true; plan: MappingPlan } | { ok: false; errors: FieldError[] } {
  try {
    return { ok: true, plan: resolveMapping(headers, mapping) };
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, errors: err.errors };
    throw err;
  }
}

/** A CSV row projected through a plan: trimmed values, empty → null; empty custom values omitted. */
export interface MappedRow {
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  title: string | null;
  custom: Record<string, string>;
}

function cell(row: readonly string[], index: number | null): string | null {
  if (index === null) return null;
  const v = row[index];
  if (v === undefined) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Applies a plan to one row. `email` is the trimmed raw value ('' when empty): validate it separately. */
export function mapRow(row: readonly string[], plan: MappingPlan): MappedRow {
  const custom: Record<string, string> = {};
  for (const c of plan.custom) {
    const v = cell(row, c.index);
    if (v === null) continue;
    if (c.name === '__proto__') {
      Object.defineProperty(custom, c.name, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      custom[c.name] = v;
    }
  }
  return {
    email: cell(row, plan.emailIndex) ?? '',
    firstName: cell(row, plan.firstNameIndex),
    lastName: cell(row, plan.lastNameIndex),
    company: cell(row, plan.companyIndex),
    title: cell(row, plan.titleIndex),
    custom,
  };
}
