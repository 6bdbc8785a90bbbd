/**
 * Writing CSV (RFC 4180): fields holding a comma, a quote, CR or LF are quoted with quotes
 * doubled; lines end with CRLF. Text cells that a spreadsheet would run as a formula (starting
 * with `=`, `+`, `-`, `@`, tab or CR) get a leading `'` (OWASP "CSV injection"); numbers are
 * written as they are, so `-5` stays a number.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** What a formula-guarded cell held before {@link csvCell} (for readers of our own exports). */
export function unguardCsvCell(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}
