import { type CsvValue, csvLine } from '@outreach/shared';

/**
 * A CSV body produced on demand: the header row first, then one chunk per page that `pages`
 * yields. A page is read only when the client has taken the previous one (pull-based), so the
 * memory held is one page, whatever the export's size; a client that goes away stops the reads.
 */
export function csvStream(
  header: readonly string[],
  pages: AsyncGenerator<CsvValue[][]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvLine(header)));
          return;
        }
        try {
          // a macrotask turn before each page: other requests run between pages (awaiting the
          // database alone never yields, its calls are synchronous)
          await new Promise((r) => setImmediate(r));
          const next = await pages.next();
          if (next.done) {
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(next.value.map(csvLine).join('')));
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** `campaign-name_cmp_…_sends_2026-03-09.csv`, safe as a plain `filename=` token. */
export function exportFileName(campaignName: string, campaignId: string, kind: string, now: number): string {
  const slug = campaignName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60);
  const day = new Date(now).toISOString().slice(0, 10);
  return `${slug ? `${slug}_` : ''}${campaignId}_${kind}_${day}.csv`;
}
