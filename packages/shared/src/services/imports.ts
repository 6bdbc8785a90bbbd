/**
 * CSV imports of contacts: the sync path (≤ 10,000 rows / 5 MB, answered at once), the JSON add,
 * and large imports: the upload is stored as ~1 MB blobs in `import_chunks` (API and worker
 * share only the database), previewed, confirmed with a mapping, then streamed back by the
 * worker through the CSV parser into bulk upserts.
 */
import type { InStatement } from '@libsql/client';
import type { Db } from '../db/client';
import type { ImportStatus } from '../db/schema/index';
import {
  type ColumnMapping,
  MappingError,
  type MappingPlan,
  mapRow,
  resolveMapping,
  suggestMapping,
} from '../domain/columns';
import { CsvError, CsvStreamParser, parseCsvText, readCsv } from '../domain/csv';
import { normalizeEmail } from '../domain/email';
import { AppError, type FieldError } from '../errors';
import { eventStatement } from '../events';
import { idFloor, newId } from '../ids';
import { getCampaign } from './campaigns';
import { type ContactInput, checkCustomDepth, upsertContacts, upsertStatements } from './contacts';
import { ImportPacing } from './import-pacing';
import { jobInsert } from './jobs';

export const SYNC_MAX_ROWS = 10_000;
export const SYNC_MAX_BYTES = 5 * 1024 * 1024;
/** Largest file `POST /imports` takes (a 1M-row, 8-column CSV is ~80 MB). */
export const ASYNC_MAX_BYTES = 512 * 1024 * 1024;
export const JSON_MAX_CONTACTS = 1000;
/** Size of one stored blob of an upload. */
export const CHUNK_BYTES = 1024 * 1024;
export const MAX_ROW_ERRORS = 100;
export const IMPORT_JOB = 'import';

export interface RowError {
  row: number;
  email: string;
  reason: string;
}

export interface ImportCounts {
  /** contacts stored: distinct addresses among the valid rows (parsed = valid + invalid). */
  imported: number;
  /** (ext) valid rows that repeat an address already in the same file (valid = imported + duplicates). */
  duplicates: number;
  parsed: number;
  valid: number;
  invalid: number;
  /** distinct contacts created or updated (= imported). */
  upserted: number;
  /** (ext) contacts that did not exist before. */
  created: number;
  /** (ext) the first 100 invalid rows. */
  errors: RowError[];
}

/** A field's value as stored: trimmed, empty → null. */
function clean(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** Sorts rows into valid contacts and counted invalid rows (first 100 kept with their reason). */
export class RowSorter {
  valid: ContactInput[] = [];
  invalid = 0;
  errors: RowError[] = [];

  reject(row: number, email: string, reason: string): void {
    this.invalid++;
    if (this.errors.length < MAX_ROW_ERRORS) this.errors.push({ row, email: email.slice(0, 320), reason });
  }

  add(
    row: number,
    f: {
      email: string;
      firstName: string | null;
      lastName: string | null;
      company: string | null;
      title: string | null;
      custom: Record<string, unknown>;
    },
  ): void {
    if (f.email === '') {
      this.reject(row, '', 'missing email');
      return;
    }
    const email = normalizeEmail(f.email);
    if (email === null) {
      this.reject(row, f.email, 'invalid email');
      return;
    }
    const custom: Record<string, unknown> = {};
    if (f.company !== null) custom.company = f.company;
    if (f.title !== null) custom.title = f.title;
    for (const [k, v] of Object.entries(f.custom)) {
      if (k === '__proto__')
        Object.defineProperty(custom, k, { value: v, enumerable: true, writable: true, configurable: true });
      else custom[k] = v;
    }
    this.valid.push({ email, firstName: f.firstName, lastName: f.lastName, custom });
  }

  /** Rows of a CSV batch through a plan; `firstRow` is the file row number of `rows[0]` (header = 1). */
  addCsv(rows: readonly string[][], plan: MappingPlan, firstRow: number): void {
    for (let i = 0; i < rows.length; i++) this.add(firstRow + i, mapRow(rows[i]!, plan));
  }
}

function csvProblem(err: CsvError): AppError {
  return new AppError('validation_failed', `The file is not a usable CSV: ${err.message}`, {
    errors: [{ path: 'file', message: err.message }],
    csvError: err.code,
  });
}

function mappingProblem(err: MappingError, prefix: string): AppError {
  return AppError.validation(
    err.errors.map((e) => ({ path: prefix ? `${prefix}.${e.path}` : e.path, message: e.message })),
  );
}

export function tooLargeForSync(detail: string): AppError {
  return new AppError(
    'payload_too_large',
    `${detail}; use POST /imports for large files (mapping preview, background processing)`,
    {
      limits: { maxRows: SYNC_MAX_ROWS, maxBytes: SYNC_MAX_BYTES },
      alternative: 'POST /imports',
    },
  );
}

/**
 * `POST /campaigns/{id}/contacts/import`: parses the whole (≤ 5 MB) text, maps recognised
 * headers, upserts every valid row in one transaction.
 */
export async function importCsvSync(
  db: Db,
  workspaceId: number,
  campaignId: string,
  bytes: Uint8Array,
  now: number,
): Promise<ImportCounts> {
  await getCampaign(db, workspaceId, campaignId);
  if (bytes.byteLength > SYNC_MAX_BYTES)
    throw tooLargeForSync(`The file has ${bytes.byteLength} bytes, over ${SYNC_MAX_BYTES}`);
  let parsed: ReturnType<typeof parseCsvText>;
  try {
    parsed = parseCsvText(new TextDecoder('utf-8').decode(bytes));
  } catch (err) {
    if (err instanceof CsvError) throw csvProblem(err);
    throw err;
  }
  if (parsed.rows.length > SYNC_MAX_ROWS)
    throw tooLargeForSync(`The file has ${parsed.rows.length} rows, over ${SYNC_MAX_ROWS}`);
  let plan: MappingPlan;
  try {
    plan = resolveMapping(parsed.header);
  } catch (err) {
    if (err instanceof MappingError) throw mappingProblem(err, 'file');
    throw err;
  }
  const sorter = new RowSorter();
  sorter.addCsv(parsed.rows, plan, 2);
  return finish(db, { workspaceId, campaignId }, parsed.rows.length, sorter, now);
}

async function finish(
  db: Db,
  t: { workspaceId: number; campaignId: string },
  parsed: number,
  sorter: RowSorter,
  now: number,
): Promise<ImportCounts> {
  const r = await upsertContacts(db, t, sorter.valid, now);
  return {
    imported: r.upserted,
    duplicates: r.written - r.upserted,
    parsed,
    valid: sorter.valid.length,
    invalid: sorter.invalid,
    upserted: r.upserted,
    created: r.created,
    errors: sorter.errors,
  };
}

export interface ContactJsonInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  title?: string | null;
  customJson?: Record<string, unknown> | null;
}

/** `POST /campaigns/{id}/contacts`: the same counts as the CSV import; invalid emails are counted. */
export async function addContactsJson(
  db: Db,
  workspaceId: number,
  campaignId: string,
  list: readonly ContactJsonInput[],
  now: number,
): Promise<ImportCounts> {
  list.forEach((c, i) => {
    if (c.customJson) checkCustomDepth(c.customJson, `contacts.${i}.customJson`);
  });
  await getCampaign(db, workspaceId, campaignId);
  const sorter = new RowSorter();
  list.forEach((c, i) => {
    const custom: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.customJson ?? {}))
      if (v !== null && v !== undefined && v !== '') custom[k] = v;
    sorter.add(i, {
      email: clean(c.email) ?? '',
      firstName: clean(c.firstName),
      lastName: clean(c.lastName),
      company: clean(c.company ?? (typeof custom.company === 'string' ? custom.company : null)),
      title: clean(c.title ?? (typeof custom.title === 'string' ? custom.title : null)),
      custom,
    });
  });
  return finish(db, { workspaceId, campaignId }, list.length, sorter, now);
}

// ---------------------------------------------------------------------------------------------
// Large imports: upload

export interface ImportRow {
  id: string;
  workspaceId: number;
  campaignId: string;
  status: ImportStatus;
  fileName: string | null;
  fileBytes: number;
  columns: string[];
  sampleRows: Record<string, string>[];
  mapping: Record<string, string | null> | null;
  totalRows: number;
  processedRows: number;
  processedBytes: number;
  imported: number;
  invalid: number;
  errors: RowError[];
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

function rowToImport(r: Record<string, unknown>): ImportRow {
  const json = <T>(v: unknown, d: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : d);
  return {
    id: r.id as string,
    workspaceId: Number(r.workspace_id),
    campaignId: r.campaign_id as string,
    status: r.status as ImportStatus,
    fileName: (r.file_name as string | null) ?? null,
    fileBytes: Number(r.file_bytes),
    columns: json(r.columns, []),
    sampleRows: json(r.sample_rows, []),
    mapping: json(r.mapping, null),
    totalRows: Number(r.total_rows),
    processedRows: Number(r.processed_rows),
    processedBytes: Number(r.processed_bytes),
    imported: Number(r.imported),
    invalid: Number(r.invalid),
    errors: json(r.errors, []),
    error: (r.error as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

const SAMPLE_ROWS = 5;

export interface StoredUpload {
  bytes: number;
  chunks: number;
  columns: string[];
  sampleRows: Record<string, string>[];
}

/**
 * Stores an upload as ~1 MB blobs under `importId` while it streams in, and reads just enough of
 * it for the preview (header + 5 rows). Memory: one blob and one parser piece. Checks the file is
 * CSV text with a header (422), and its size (413). On any error the stored blobs are removed.
 */
export async function storeUpload(
  db: Db,
  importId: string,
  source: AsyncIterable<Uint8Array>,
  opts: { maxBytes?: number } = {},
): Promise<StoredUpload> {
  const maxBytes = opts.maxBytes ?? ASYNC_MAX_BYTES;
  const parser = new CsvStreamParser();
  const decoder = new TextDecoder('utf-8');
  const sample: string[][] = [];
  let previewDone = false;
  let bytes = 0;
  let seq = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const blob = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.client.execute({
      sql: 'INSERT INTO import_chunks (import_id, seq, data) VALUES (?, ?, ?)',
      args: [importId, seq++, blob],
    });
    // The binding frees the statement's native copy of the blob on a later event-loop turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const preview = (rows: string[][]) => {
    for (const r of rows) if (sample.length < SAMPLE_ROWS) sample.push(r);
    if (sample.length >= SAMPLE_ROWS) previewDone = true;
  };
  try {
    for await (const chunk of source) {
      if (chunk.byteLength === 0) continue;
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        throw new AppError('payload_too_large', `The file is larger than ${maxBytes} bytes`, {
          limits: { maxBytes },
        });
      }
      // The preview reads only as far as it needs (64 KB at a time), never the whole file.
      for (let at = 0; !previewDone && at < chunk.byteLength; at += 64 * 1024) {
        preview(parser.write(decoder.decode(chunk.subarray(at, at + 64 * 1024), { stream: true })));
      }
      // Blobs of exactly CHUNK_BYTES (a source chunk may be larger or smaller); copied, since
      // the source may reuse its buffer.
      for (let at = 0; at < chunk.byteLength; ) {
        const take = Math.min(CHUNK_BYTES - pendingBytes, chunk.byteLength - at);
        pending.push(Buffer.from(chunk.subarray(at, at + take)));
        pendingBytes += take;
        at += take;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
    }
    await flush();
    if (!previewDone) preview([...parser.write(decoder.decode()), ...parser.end()]);
    const header = parser.header;
    if (header === null) throw new CsvError('empty_file', 'the file is empty');
    const sampleRows = sample.map((r) => {
      const o: Record<string, string> = {};
      header.forEach((h, i) => {
        if (!Object.hasOwn(o, h))
          Object.defineProperty(o, h, {
            value: r[i] ?? '',
            enumerable: true,
            writable: true,
            configurable: true,
          });
      });
      return o;
    });
    return { bytes, chunks: seq, columns: header, sampleRows };
  } catch (err) {
    await discardUpload(db, importId);
    if (err instanceof CsvError) throw csvProblem(err);
    throw err;
  }
}

export async function discardUpload(db: Db, importId: string): Promise<void> {
  await db.client.execute({ sql: 'DELETE FROM import_chunks WHERE import_id = ?', args: [importId] });
}

/** Records a stored upload as an import `pending_mapping` (404 when the campaign is not this workspace's). */
export async function createImport(
  db: Db,
  workspaceId: number,
  input: { id: string; campaignId: string; fileName: string | null; upload: StoredUpload },
  now: number,
): Promise<ImportRow> {
  try {
    await getCampaign(db, workspaceId, input.campaignId);
  } catch (err) {
    await discardUpload(db, input.id);
    throw err;
  }
  await db.client.execute({
    sql: `INSERT INTO imports (id, workspace_id, campaign_id, status, file_name, file_bytes, columns, sample_rows, errors, created_at, updated_at)
          VALUES (?, ?, ?, 'pending_mapping', ?, ?, ?, ?, '[]', ?, ?)`,
    args: [
      input.id,
      workspaceId,
      input.campaignId,
      input.fileName,
      input.upload.bytes,
      JSON.stringify(input.upload.columns),
      JSON.stringify(input.upload.sampleRows),
      now,
      now,
    ],
  });
  return getImport(db, workspaceId, input.id);
}

export function newImportId(now: number): string {
  return newId('import', now);
}

export async function getImport(db: Db, workspaceId: number, id: string): Promise<ImportRow> {
  const res = await db.client.execute({
    sql: 'SELECT * FROM imports WHERE id = ? AND workspace_id = ?',
    args: [id, workspaceId],
  });
  const row = res.rows[0];
  if (!row) throw AppError.notFound('Import', id);
  return rowToImport(row as Record<string, unknown>);
}

export function importPreview(imp: ImportRow) {
  return { columns: imp.columns, suggestedMapping: suggestMapping(imp.columns), sampleRows: imp.sampleRows };
}

export function importProgress(imp: ImportRow): number {
  if (imp.status === 'completed') return 1;
  if (imp.status !== 'processing' || imp.fileBytes === 0) return 0;
  return Math.min(0.99, Math.floor((imp.processedBytes / imp.fileBytes) * 1000) / 1000);
}

/**
 * `mapping-confirm`: checks the mapping against the file's columns (422 naming `mapping.<col>`),
 * then moves `pending_mapping → queued` and enqueues the import job in one transaction. Any
 * other status → 409 `invalid_transition` (an import is confirmed once).
 */
export async function confirmImport(
  db: Db,
  workspaceId: number,
  id: string,
  mapping: ColumnMapping,
  now: number,
): Promise<ImportRow> {
  const imp = await getImport(db, workspaceId, id);
  if (imp.status !== 'pending_mapping') throw alreadyConfirmed(imp);
  try {
    resolveMapping(imp.columns, mapping);
  } catch (err) {
    if (err instanceof MappingError) throw mappingProblem(err, '');
    throw err;
  }
  const stored: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(mapping)) {
    Object.defineProperty(stored, k, {
      value: v ?? null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  // One batch (no interactive transaction: the local driver is synchronous, two open write
  // transactions would block each other): the status move, then the job — jobInsert's statement
  // made conditional, so of two racing confirms only the one whose update won enqueues.
  const job = jobInsert(
    db.orm,
    { workspaceId, kind: IMPORT_JOB, refId: id, payload: { importId: id }, maxAttempts: 3 },
    now,
  ).query.toSQL();
  const conditional = `${job.sql.replace(/\)\s*values\s*\(/i, ') SELECT ').replace(/\)\s*$/, '')}
    WHERE EXISTS (SELECT 1 FROM imports WHERE id = ? AND status = 'queued')
      AND NOT EXISTS (SELECT 1 FROM jobs WHERE kind = ? AND ref_id = ?)`;
  const results = await db.client.batch(
    [
      {
        sql: `UPDATE imports SET status = 'queued', mapping = ?, updated_at = ?
              WHERE id = ? AND workspace_id = ? AND status = 'pending_mapping'`,
        args: [JSON.stringify(stored), now, id, workspaceId],
      },
      { sql: conditional, args: [...(job.params as (string | number | null)[]), id, IMPORT_JOB, id] },
    ],
    'write',
  );
  const ok = results[0]!.rowsAffected === 1;
  if (!ok) throw alreadyConfirmed(await getImport(db, workspaceId, id));
  return getImport(db, workspaceId, id);
}

function alreadyConfirmed(imp: ImportRow): AppError {
  return new AppError(
    'invalid_transition',
    `Import ${imp.id} is ${imp.status}: its mapping can be confirmed only once, while pending_mapping`,
    {
      currentStatus: imp.status,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Large imports: the worker's part

/** The stored upload, blob by blob, as a byte stream (one blob in memory at a time). */
export async function* readUpload(db: Db, importId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const res = await db.client.execute({
      sql: 'SELECT data FROM import_chunks WHERE import_id = ? AND seq = ?',
      args: [importId, seq],
    });
    const data = res.rows[0]?.data as ArrayBuffer | undefined;
    if (!data) return;
    // In 64 KB views: the parser then decodes 64K-char strings, which V8 keeps in the young
    // generation; a 1M-char string goes to the large-object space and lingers until a full GC.
    const bytes = new Uint8Array(data);
    for (let at = 0; at < bytes.byteLength; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export interface ProcessOptions {
  now: () => number;
  /** called between batches (≥ every `heartbeatMs`): return false to stop (lease lost). */
  heartbeat?: () => Promise<boolean>;
  heartbeatMs?: number;
}

export class LeaseLostError extends Error {}

/**
 * Streams a confirmed import into contacts: chunks → CSV parser → mapping → bulk upserts,
 * writing progress and counts as it goes. Restartable: counts are reset at the start and rows
 * are upserts, so a retry after a crash gives the same contacts. Bad files (a row over 1 MiB,
 * binary content) end the import `failed` with the reason.
 */
export async function processImport(db: Db, importId: string, opts: ProcessOptions): Promise<ImportRow> {
  const start = opts.now();
  const res = await db.client.execute({
    sql: `UPDATE imports SET status = 'processing', total_rows = 0, processed_rows = 0, processed_bytes = 0, imported = 0, invalid = 0,
            errors = '[]', error = NULL, updated_at = ? WHERE id = ? AND status IN ('queued', 'processing') RETURNING *`,
    args: [start, importId],
  });
  const row = res.rows[0];
  if (!row) {
    const again = await db.client.execute({ sql: 'SELECT * FROM imports WHERE id = ?', args: [importId] });
    if (!again.rows[0]) throw new Error(`import ${importId} does not exist`);
    return rowToImport(again.rows[0] as Record<string, unknown>); // already finished: nothing to do
  }
  const imp = rowToImport(row as Record<string, unknown>);
  const target = { workspaceId: imp.workspaceId, campaignId: imp.campaignId };
  const pacing = new ImportPacing(db);
  const heartbeatMs = opts.heartbeatMs ?? 1000;

  let bytesRead = 0;
  const counted = (async function* () {
    for await (const chunk of readUpload(db, importId)) {
      bytesRead += chunk.byteLength;
      yield chunk;
    }
  })();

  let parsed = 0;
  // Distinct addresses stored by this import: `imported` counts contacts, not rows (a repeated
  // address is one contact). One string per distinct address is held until the import ends.
  const addresses = new Set<string>();
  let imported = 0;
  const sorter = new RowSorter();
  let plan: MappingPlan | null = null;
  // valid rows waiting for their write
  let pending: ContactInput[] = [];
  let lastBeat = opts.now();
  /**
   * Writes the pending rows, a transaction at a time as `pacing` sizes them, pausing between
   * them; `all`: the last part too, however small.
   */
  const write = async (all = true) => {
    for (;;) {
      const n = await pacing.rowsPerTx();
      if (pending.length === 0 || (!all && pending.length < n)) return;
      const part = pending.slice(0, n);
      pending = pending.slice(n);
      const stmts = upsertStatements(target, part, opts.now());
      const t0 = performance.now();
      if (stmts.length === 1) await db.client.execute(stmts[0]!);
      else await db.client.batch(stmts, 'write');
      // The event loop turns meanwhile: the SQLite binding frees each statement's native memory
      // (its bound JSON) in finalizers that only run then; without a turn, RSS grows with the
      // file (~200 KB per 1,000 rows) while the loop keeps the thread busy.
      const pause = pacing.pauseAfter(part.length, performance.now() - t0);
      await new Promise<void>((resolve) => setTimeout(resolve, pause));
    }
  };
  const progress = () =>
    db.client.execute({
      sql: `UPDATE imports SET processed_rows = ?, processed_bytes = ?, imported = ?, invalid = ?, errors = ?, updated_at = ? WHERE id = ?`,
      args: [
        parsed,
        bytesRead,
        imported,
        sorter.invalid,
        JSON.stringify(sorter.errors),
        opts.now(),
        importId,
      ],
    });

  try {
    for await (const batch of readCsv(counted, { batchSize: 1000 })) {
      if (plan === null) plan = resolveMapping(batch.header, imp.mapping);
      sorter.addCsv(batch.rows, plan, parsed + 2);
      parsed += batch.rows.length;
      if (sorter.valid.length > 0) {
        for (const row of sorter.valid) {
          pending.push(row);
          addresses.add(row.email);
        }
        imported = addresses.size;
        sorter.valid = [];
      }
      // the writer is shared: short transactions, with pauses (import-pacing.ts)
      await write(false);
      if (opts.now() - lastBeat >= heartbeatMs) {
        lastBeat = opts.now();
        await write();
        await progress();
        if (opts.heartbeat && !(await opts.heartbeat()))
          throw new LeaseLostError(`lost the lease on import ${importId}`);
      }
    }
    await write();
  } catch (err) {
    if (err instanceof CsvError || err instanceof MappingError) {
      await write().catch(() => {});
      const reason = err instanceof CsvError ? `${err.code}: ${err.message}` : `mapping: ${err.message}`;
      return failImport(
        db,
        importId,
        { parsed, imported, invalid: sorter.invalid, errors: sorter.errors, bytes: bytesRead },
        reason,
        opts.now(),
      );
    }
    throw err;
  }
  const end = opts.now();
  await db.client.batch(
    [
      {
        sql: `UPDATE imports SET status = 'completed', total_rows = ?, processed_rows = ?, processed_bytes = file_bytes, imported = ?, invalid = ?,
                errors = ?, updated_at = ? WHERE id = ?`,
        args: [parsed, parsed, imported, sorter.invalid, JSON.stringify(sorter.errors), end, importId],
      },
      { sql: 'DELETE FROM import_chunks WHERE import_id = ?', args: [importId] },
      eventStatement(
        {
          workspaceId: imp.workspaceId,
          type: 'import.completed',
          campaignId: imp.campaignId,
          data: { importId, totalRows: parsed, imported, invalid: sorter.invalid },
        },
        end,
      ),
    ],
    'write',
  );
  return getImport(db, imp.workspaceId, importId);
}

/** Ends an import `failed` with its reason (what was stored before stays: rows are upserts). */
export async function failImport(
  db: Db,
  importId: string,
  so: { parsed: number; imported: number; invalid: number; errors: RowError[]; bytes: number } | null,
  reason: string,
  now: number,
): Promise<ImportRow> {
  const stmts: InStatement[] = [
    so
      ? {
          sql: `UPDATE imports SET status = 'failed', error = ?, total_rows = ?, processed_rows = ?, processed_bytes = ?, imported = ?, invalid = ?, errors = ?, updated_at = ?
                WHERE id = ? AND status IN ('queued', 'processing')`,
          args: [
            reason,
            so.parsed,
            so.parsed,
            so.bytes,
            so.imported,
            so.invalid,
            JSON.stringify(so.errors),
            now,
            importId,
          ],
        }
      : {
          sql: `UPDATE imports SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'processing')`,
          args: [reason, now, importId],
        },
    { sql: 'DELETE FROM import_chunks WHERE import_id = ?', args: [importId] },
  ];
  await db.client.batch(stmts, 'write');
  const res = await db.client.execute({ sql: 'SELECT * FROM imports WHERE id = ?', args: [importId] });
  return rowToImport(res.rows[0] as Record<string, unknown>);
}

/** Uploads never confirmed are dropped after this (their blobs can be large). */
export const PENDING_IMPORT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Blobs of an upload that never became an import (the API died mid-upload) are dropped after this. */
export const ORPHAN_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Housekeeping: imports left `pending_mapping` for 7 days end `failed` (expired) and lose their
 * blobs; blobs with no import row (an upload cut off before its row was written), older than a
 * day by their time-sortable import id, are deleted. Returns what was removed.
 */
export async function purgeStaleUploads(db: Db, now: number): Promise<{ expired: number; orphans: number }> {
  const results = await db.client.batch(
    [
      {
        sql: `DELETE FROM import_chunks WHERE import_id IN
                (SELECT id FROM imports WHERE status = 'pending_mapping' AND created_at < ?)`,
        args: [now - PENDING_IMPORT_TTL_MS],
      },
      {
        sql: `UPDATE imports SET status = 'failed', error = 'expired: the mapping was never confirmed', updated_at = ?
              WHERE status = 'pending_mapping' AND created_at < ?`,
        args: [now, now - PENDING_IMPORT_TTL_MS],
      },
      {
        sql: `DELETE FROM import_chunks WHERE import_id < ?
                AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = import_chunks.import_id)`,
        args: [idFloor('import', now - ORPHAN_UPLOAD_TTL_MS)],
      },
    ],
    'write',
  );
  return { expired: results[1]!.rowsAffected, orphans: results[2]!.rowsAffected };
}

export type { FieldError };
