import { AppError } from '@outreach/shared';

/**
 * Keyset pagination on time-sortable ids: the cursor is the last id seen, so rows inserted
 * between pages never shift what comes next (no gap, no repeat).
 */
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  try {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    const parsed = JSON.parse(decoded) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after.length > 0) return parsed.after;
  } catch {}
  throw AppError.validation([{ path: 'cursor', message: 'not a cursor returned by this API' }]);
}

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

/** Rows must be fetched with `limit + 1`; the extra row only says a next page exists. */
export function page<Row, Item>(
  rows: Row[],
  limit: number,
  key: (row: Row) => string,
  toItem: (row: Row) => Item,
): { items: Item[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(toItem), next_cursor: more && last ? encodeCursor(key(last)) : null };
}
