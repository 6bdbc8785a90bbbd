import { describe, expect, it } from 'vitest';
import {
  CONTACT_FIELDS,
  MappingError,
  mapRow,
  resolveMapping,
  suggestField,
  suggestMapping,
  tryResolveMapping,
} from '../../src/domain/columns';

function mappingErrors(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return (err as MappingError).errors;
  }
  throw new Error('expected a MappingError');
}

describe('suggestField', () => {
  it('lists the known fields', () => {
    expect(CONTACT_FIELDS).toEqual(['email', 'firstName', 'lastName', 'company', 'title']);
  });

  it.each([
    ['email', 'email'],
    ['Email', 'email'],
    ['EMAIL', 'email'],
    ['E-mail', 'email'],
    ['e_mail', 'email'],
    ['Email Address', 'email'],
    ['email_address', 'email'],
    ['mail', 'email'],
    [' Email ', 'email'],
    ['first_name', 'firstName'],
    ['First Name', 'firstName'],
    ['firstname', 'firstName'],
    ['firstName', 'firstName'],
    ['FIRST-NAME', 'firstName'],
    ['first', 'firstName'],
    ['Given Name', 'firstName'],
    ['fname', 'firstName'],
    ['last_name', 'lastName'],
    ['Last Name', 'lastName'],
    ['lastName', 'lastName'],
    ['last', 'lastName'],
    ['Surname', 'lastName'],
    ['family name', 'lastName'],
    ['lname', 'lastName'],
    ['company', 'company'],
    ['Company Name', 'company'],
    ['org', 'company'],
    ['Organization', 'company'],
    ['organisation', 'company'],
    ['Account', 'company'],
    ['title', 'title'],
    ['Job Title', 'title'],
    ['job_title', 'title'],
    ['role', 'title'],
    ['Position', 'title'],
  ])('%j → %s', (header, field) => {
    expect(suggestField(header)).toBe(field);
  });

  it.each([['name'], ['Full Name'], ['phone'], ['city'], [''], ['emails sent'], ['company size']])(
    '%j → null',
    (header) => {
      expect(suggestField(header)).toBeNull();
    },
  );
});

describe('suggestMapping', () => {
  it('matches the seed mapping-preview example', () => {
    expect(suggestMapping(['email', 'first_name', 'last', 'org', 'role'])).toEqual({
      email: 'email',
      first_name: 'firstName',
      last: 'lastName',
      org: 'company',
      role: 'title',
    });
  });

  it('gives null to unrecognised columns and lets the first column win a field', () => {
    expect(suggestMapping(['Email', 'E-mail', 'Company', 'org', 'city'])).toEqual({
      Email: 'email',
      'E-mail': null,
      Company: 'company',
      org: null,
      city: null,
    });
  });

  it('keeps a __proto__ column as a plain key', () => {
    const m = suggestMapping(['email', '__proto__']);
    expect(Object.keys(m)).toEqual(['email', '__proto__']);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
  });
});

describe('resolveMapping without a mapping (sync import)', () => {
  it('maps the seed import header', () => {
    expect(resolveMapping(['email', 'firstName', 'lastName', 'company', 'title'])).toEqual({
      emailIndex: 0,
      firstNameIndex: 1,
      lastNameIndex: 2,
      companyIndex: 3,
      titleIndex: 4,
      custom: [],
    });
  });

  it('sends other non-empty columns to custom fields under their header name', () => {
    const plan = resolveMapping(['City', 'E-Mail Address', '', 'First Name', 'Phone', 'email', 'City']);
    expect(plan).toEqual({
      emailIndex: 1,
      firstNameIndex: 3,
      lastNameIndex: null,
      companyIndex: null,
      titleIndex: null,
      // a second `email` column is not a custom field (reserved name); the duplicate `City` is ignored
      custom: [
        { index: 0, name: 'City' },
        { index: 4, name: 'Phone' },
      ],
    });
  });

  it('keeps a recognised column that lost the tie as a custom field', () => {
    const plan = resolveMapping(['org', 'Company Name', 'email']);
    expect(plan.companyIndex).toBe(0);
    expect(plan.custom).toEqual([{ index: 1, name: 'Company Name' }]);
  });

  it('requires an email column', () => {
    expect(mappingErrors(() => resolveMapping(['name', 'company']))).toEqual([
      { path: 'columns', message: 'no column maps to email' },
    ]);
  });

  it('rejects a custom column name over 100 characters', () => {
    const errors = mappingErrors(() => resolveMapping(['email', 'x'.repeat(101)]));
    expect(errors).toEqual([{ path: 'columns[1]', message: expect.stringContaining('100') }]);
  });
});

describe('resolveMapping with an explicit mapping (mapping-confirm)', () => {
  const columns = ['email', 'first_name', 'last', 'org', 'role'];

  it('compiles the seed mapping', () => {
    const plan = resolveMapping(columns, {
      email: 'email',
      first_name: 'firstName',
      last: 'lastName',
      org: 'company',
      role: 'title',
    });
    expect(plan).toEqual({
      emailIndex: 0,
      firstNameIndex: 1,
      lastNameIndex: 2,
      companyIndex: 3,
      titleIndex: 4,
      custom: [],
    });
  });

  it('drops null/absent columns and turns other names into custom fields', () => {
    const plan = resolveMapping(columns, {
      email: 'email',
      first_name: null,
      org: 'Employer',
      role: 'Seniority',
    });
    expect(plan).toEqual({
      emailIndex: 0,
      firstNameIndex: null,
      lastNameIndex: null,
      companyIndex: null,
      titleIndex: null,
      custom: [
        { index: 3, name: 'Employer' },
        { index: 4, name: 'Seniority' },
      ],
    });
  });

  it('accepts case and separator variants of the field names', () => {
    const plan = resolveMapping(columns, { email: 'Email', first_name: 'first_name', last: 'Last Name' });
    expect(plan.emailIndex).toBe(0);
    expect(plan.firstNameIndex).toBe(1);
    expect(plan.lastNameIndex).toBe(2);
  });

  it('can map any column to email', () => {
    const plan = resolveMapping(['Work', 'Home'], { Home: 'email', Work: 'work' });
    expect(plan.emailIndex).toBe(1);
    expect(plan.custom).toEqual([{ index: 0, name: 'work' }]);
  });

  it('reports every error at once', () => {
    const errors = mappingErrors(() =>
      resolveMapping(columns, {
        first_name: 'firstName',
        last: 'firstName',
        org: '  ',
        role: 'r'.repeat(101),
        nope: 'title',
      }),
    );
    expect(errors).toEqual([
      { path: 'mapping.nope', message: expect.stringContaining('not a column') },
      {
        path: 'mapping.last',
        message: expect.stringContaining("'firstName' is already mapped from column 'first_name'"),
      },
      { path: 'mapping.org', message: 'target name is empty' },
      { path: 'mapping.role', message: expect.stringContaining('100') },
      { path: 'mapping', message: 'no column is mapped to email' },
    ]);
  });

  it('rejects two columns on the same custom name and non-string targets', () => {
    const errors = mappingErrors(() =>
      resolveMapping(columns, { email: 'email', org: 'x', role: 'x', last: 5 as unknown as string }),
    );
    expect(errors.map((e) => e.path)).toEqual(['mapping.last', 'mapping.role']);
  });

  it('accepts exactly 100 characters', () => {
    const plan = resolveMapping(columns, { email: 'email', role: 'r'.repeat(100) });
    expect(plan.custom).toEqual([{ index: 4, name: 'r'.repeat(100) }]);
  });

  it('tryResolveMapping returns the errors instead of throwing', () => {
    expect(tryResolveMapping(columns, {})).toEqual({
      ok: false,
      errors: [{ path: 'mapping', message: 'no column is mapped to email' }],
    });
    expect(tryResolveMapping(columns, { email: 'email' })).toMatchObject({
      ok: true,
      plan: { emailIndex: 0 },
    });
  });
});

describe('mapRow', () => {
  it('projects a row through a plan', () => {
    const plan = resolveMapping(['email', 'First Name', 'company', 'City', 'Notes', '__proto__']);
    expect(mapRow([' Sarah@Acme.com ', 'Sarah', '', 'Berlin ', '  ', 'p'], plan)).toEqual({
      email: 'Sarah@Acme.com',
      firstName: 'Sarah',
      lastName: null,
      company: null,
      title: null,
      custom: { City: 'Berlin', ['__proto__']: 'p' },
    });
    expect(mapRow([], plan).email).toBe('');
  });
});
