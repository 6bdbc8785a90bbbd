import { createRoute, z } from '@hono/zod-openapi';
import {
  type Contact,
  type CsvValue,
  campaignStats,
  contactCustomKeys,
  getCampaign,
  iso,
  iterateContacts,
  iterateSends,
  type Send,
  summaryTable,
} from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { CampaignParam, toSend } from '../sends/schema';
import { csvStream, exportFileName } from './csv-stream';
import { CONTACT_COLUMNS, ExportQuery, ExportSummarySchema, SEND_COLUMNS } from './schema';

/**
 * Rows read from the database per chunk of the streamed body: a page is read and turned into CSV
 * in one go on the event loop (~10 µs a contact row), so it stays a few milliseconds long.
 */
export const EXPORT_PAGE_SIZE = 250;
/** Cells per chunk: a wide export (100,000 custom columns) reads fewer rows per page. */
export const EXPORT_PAGE_CELLS = 200_000;

export const exportRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/export',
  operationId: 'campaigns.export',
  tags: ['Analytics'],
  summary: "Export a campaign's results",
  description:
    '`kind=summary` answers JSON (the stats plus a per-step/variant table). `kind=contacts` and `kind=sends` stream CSV ' +
    '(RFC 4180, header row, `Content-Disposition: attachment`), read from the database page by page while it is sent. ' +
    "Text cells starting with `=`, `+`, `-` or `@` get a leading `'` so spreadsheets do not run them as formulas. " +
    'Contacts: the fixed columns, then one column per custom field, every one the contacts use (none is left out, ' +
    'however many: a wide export streams fewer rows per chunk).',
  request: { params: CampaignParam, query: ExportQuery },
  responses: {
    200: {
      description: 'The export',
      content: {
        'application/json': { schema: ExportSummarySchema },
        'text/csv': {
          schema: z
            .string()
            .openapi({ example: 'id,campaignId,contactId,…\r\nsnd_001,cmp_abc123,cnt_001,…\r\n' }),
        },
      },
    },
    ...errorResponses,
  },
});

/** The CSV row is the API's send object, column by column. */
function sendRow(s: Send): CsvValue[] {
  const values: Record<(typeof SEND_COLUMNS)[number], CsvValue> = toSend(s);
  return SEND_COLUMNS.map((k) => values[k]);
}

function customCell(v: unknown): CsvValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function contactRow(c: Contact, customKeys: readonly string[]): CsvValue[] {
  const values: Record<(typeof CONTACT_COLUMNS)[number], CsvValue> = {
    id: c.id,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    status: c.status,
    currentStep: c.currentStep,
    mailboxId: c.mailboxId,
    lastSentAt: iso(c.lastSentAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
  return [...CONTACT_COLUMNS.map((k) => values[k]), ...customKeys.map((k) => customCell(c.customJson[k]))];
}

async function* mapPages<T>(
  pages: AsyncGenerator<T[]>,
  fn: (row: T) => CsvValue[],
): AsyncGenerator<CsvValue[][]> {
  try {
    for await (const page of pages) yield page.map(fn);
  } finally {
    await pages.return(undefined);
  }
}

export function registerExport(app: App): void {
  app.openapi(exportRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const { kind } = c.req.valid('query');
    const campaign = await getCampaign(db, c.get('workspaceId'), c.req.valid('param').id);
    const now = clock.now();
    if (kind === 'summary') {
      const stats = await campaignStats(db, campaign.workspaceId, campaign.id);
      return c.json(
        {
          kind: 'summary' as const,
          campaign: {
            id: campaign.id,
            name: campaign.name,
            status: campaign.status,
            launchedAt: iso(campaign.launchedAt),
          },
          generatedAt: iso(now),
          stats,
          table: summaryTable(stats),
        },
        200,
      );
    }
    let header: string[];
    let body: ReadableStream<Uint8Array>;
    if (kind === 'sends') {
      header = [...SEND_COLUMNS];
      body = csvStream(
        header,
        mapPages(
          iterateSends(db, campaign.workspaceId, campaign.id, { pageSize: EXPORT_PAGE_SIZE }),
          sendRow,
        ),
      );
    } else {
      const customKeys = await contactCustomKeys(db, campaign.workspaceId, campaign.id);
      const taken = new Set<string>(CONTACT_COLUMNS);
      // A custom field named like a fixed column keeps its own column under another name.
      header = [...CONTACT_COLUMNS, ...customKeys.map((k) => (taken.has(k) ? `custom.${k}` : k))];
      const pageSize = Math.max(1, Math.min(EXPORT_PAGE_SIZE, Math.floor(EXPORT_PAGE_CELLS / header.length)));
      body = csvStream(
        header,
        mapPages(iterateContacts(db, campaign.workspaceId, campaign.id, { pageSize }), (r) =>
          contactRow(r, customKeys),
        ),
      );
    }
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${exportFileName(campaign.name, campaign.id, kind, now)}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-request-id': c.get('requestId'),
      },
    });
  });
}
