import { describe, expect, it } from 'vitest';
import {
  CsvError,
  type CsvReadOptions,
  CsvStreamParser,
  parseCsvText,
  readCsv,
  readCsvRows,
} from '../../src/domain/csv';

const enc = new TextEncoder();

async function* chunksOf(parts: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const p of parts) yield p;
}

/** Splits bytes at the given offsets. */
function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const o of [...offsets, bytes.length]) {
    out.push(bytes.subarray(start, o));
    start = o;
  }
  return out;
}

async function readAll(parts: Array<Uint8Array | string>, opts?: CsvReadOptions) {
  let header: string[] = [];
  const rows: string[][] = [];
  let batches = 0;
  for await (const batch of readCsv(chunksOf(parts), opts)) {
    header = batch.header;
    rows.push(...batch.rows);
    batches++;
  }
  return { header, rows, batches };
}

async function csvError(p: Promise<unknown> | (() => unknown)): Promise<CsvError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(CsvError);
    return err as CsvError;
  }
  throw new Error('expected a CsvError');
}

const SEED =
  'email,firstName,lastName,company,title\nsarah@acme.com,Sarah,Chen,Acme Corp,VP Sales\nmike@bigco.io,Mike,Johnson,BigCo,CTO\n';

describe('parseCsvText', () => {
  it('parses the seed import file', () => {
    expect(parseCsvText(SEED)).toEqual({
      header: ['email', 'firstName', 'lastName', 'company', 'title'],
      delimiter: ',',
      rows: [
        ['sarah@acme.com', 'Sarah', 'Chen', 'Acme Corp', 'VP Sales'],
        ['mike@bigco.io', 'Mike', 'Johnson', 'BigCo', 'CTO'],
      ],
    });
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('handles %s line endings, with or without a final newline', (_, nl) => {
    const text = ['email,name', 'a@x.co,A', 'b@x.co,B'].join(nl);
    const expected = [
      ['a@x.co', 'A'],
      ['b@x.co', 'B'],
    ];
    expect(parseCsvText(text).rows).toEqual(expected);
    expect(parseCsvText(text + nl).rows).toEqual(expected);
  });

  it('handles mixed line endings', () => {
    expect(parseCsvText('email,name\r\na@x.co,A\nb@x.co,B\rc@x.co,C\r\n').rows).toEqual([
      ['a@x.co', 'A'],
      ['b@x.co', 'B'],
      ['c@x.co', 'C'],
    ]);
  });

  it('drops a UTF-8 BOM', () => {
    expect(parseCsvText('\uFEFFemail,name\na@x.co,A').header).toEqual(['email', 'name']);
  });

  it.each([
    [',', 'email,first name,notes\na@x.co,Ann,"x; y\tz"\n'],
    [';', 'email;first name;notes\na@x.co;Ann;"x, y\tz"\n'],
    ['\t', 'email\tfirst name\tnotes\na@x.co\tAnn\t"x, y; z"\n'],
  ])('detects the %j delimiter from the header line', (delimiter, text) => {
    const r = parseCsvText(text);
    expect(r.delimiter).toBe(delimiter);
    expect(r.header).toEqual(['email', 'first name', 'notes']);
    expect(r.rows[0]?.slice(0, 2)).toEqual(['a@x.co', 'Ann']);
  });

  it('ignores delimiters inside quoted header cells', () => {
    const r = parseCsvText('email;"Name, full";"Company, Inc"\na@x.co;Ann;Acme\n');
    expect(r.delimiter).toBe(';');
    expect(r.header).toEqual(['email', 'Name, full', 'Company, Inc']);
  });

  it('handles quoted fields with delimiters, doubled quotes and newlines', () => {
    const text =
      'email,notes,company\r\na@x.co,"line one\r\nline ""two""\nthree, four",Acme\r\n"b@x.co","",""""\r\n';
    expect(parseCsvText(text).rows).toEqual([
      ['a@x.co', 'line one\nline "two"\nthree, four', 'Acme'],
      ['b@x.co', '', '"'],
    ]);
  });

  it('pads short rows and keeps extra cells', () => {
    expect(parseCsvText('email,a,b\nx@y.co\nz@y.co,1,2,3,4\n').rows).toEqual([
      ['x@y.co', '', ''],
      ['z@y.co', '1', '2', '3', '4'],
    ]);
  });

  it('trims header cells but not data cells', () => {
    const r = parseCsvText(' email , First Name \n a@x.co , Ann \n');
    expect(r.header).toEqual(['email', 'First Name']);
    expect(r.rows).toEqual([[' a@x.co ', ' Ann ']]);
  });

  it('skips blank rows anywhere, including before the header', () => {
    const r = parseCsvText('\n\r\n   \nemail,name\n\na@x.co,A\n,\n  ,  \nb@x.co,B\n\n\n');
    expect(r.header).toEqual(['email', 'name']);
    expect(r.rows).toEqual([
      ['a@x.co', 'A'],
      ['b@x.co', 'B'],
    ]);
  });

  it('returns zero rows for a header-only file', () => {
    expect(parseCsvText('email,name\n')).toEqual({ header: ['email', 'name'], delimiter: ',', rows: [] });
    expect(parseCsvText('email,name')).toEqual({ header: ['email', 'name'], delimiter: ',', rows: [] });
  });

  it('keeps multi-byte characters', () => {
    expect(parseCsvText('email,name\nz@x.co,Zoë Müller 😀 €\n').rows).toEqual([
      ['z@x.co', 'Zoë Müller 😀 €'],
    ]);
  });

  describe('errors', () => {
    it.each([[''], ['   '], ['\n\n\r\n'], [' \t \n  \n'], ['\uFEFF'], ['\uFEFF\n\n']])(
      'empty_file for %j',
      async (text) => {
        expect((await csvError(() => parseCsvText(text))).code).toBe('empty_file');
      },
    );

    it('no_header when there are only blank rows', async () => {
      expect((await csvError(() => parseCsvText(',,,\n,,\n  \n,'))).code).toBe('no_header');
    });

    it('no_header when the first row is data', async () => {
      const err = await csvError(() =>
        parseCsvText('sarah@acme.com,Sarah,Chen\nmike@bigco.io,Mike,Johnson\n'),
      );
      expect(err.code).toBe('no_header');
    });

    it('binary_file for NUL bytes', async () => {
      expect((await csvError(() => parseCsvText('email,name\na@x.co,A\u0000B\n'))).code).toBe('binary_file');
    });

    it('line_too_long counts UTF-8 bytes exactly', async () => {
      const opts = { maxLineBytes: 100 };
      const ok = `email,n\n${'e'.repeat(93)}@x.co\n`; // row of 99 bytes
      expect(parseCsvText(ok, opts).rows).toHaveLength(1);
      expect(parseCsvText(`email,n\n${'x'.repeat(100)}\nb@x.co\n`, opts).rows).toHaveLength(2);
      const err = await csvError(() => parseCsvText(`email,n\n${'x'.repeat(101)}\nb@x.co\n`, opts));
      expect(err.code).toBe('line_too_long');
      expect(err.row).toBe(2);
      // 33 × '€' = 99 bytes is fine, 34 × '€' = 102 bytes is not
      expect(parseCsvText(`email,n\n${'€'.repeat(33)}\n`, opts).rows).toHaveLength(1);
      expect((await csvError(() => parseCsvText(`email,n\n${'€'.repeat(34)}\n`, opts))).code).toBe(
        'line_too_long',
      );
      // the header row counts too, and quoted newlines belong to the row
      expect((await csvError(() => parseCsvText(`${'h'.repeat(101)}\n`, opts))).code).toBe('line_too_long');
      const quoted = `email,n\na@x.co,"${'q\n'.repeat(48)}"\n`; // 7 + 1 + 96 + 1 = 105 bytes
      expect((await csvError(() => parseCsvText(quoted, opts))).code).toBe('line_too_long');
    });
  });
});

describe('readCsv / readCsvRows', () => {
  it('yields the header and rows in batches of at most batchSize', async () => {
    const lines = ['email,n'];
    for (let i = 0; i < 2500; i++) lines.push(`u${i}@x.co,${i}`);
    const batches: number[] = [];
    let total = 0;
    for await (const b of readCsv(chunksOf([lines.join('\n')]), { batchSize: 1000 })) {
      expect(b.header).toEqual(['email', 'n']);
      expect(b.delimiter).toBe(',');
      batches.push(b.rows.length);
      total += b.rows.length;
    }
    expect(batches).toEqual([1000, 1000, 500]);
    expect(total).toBe(2500);
  });

  it('readCsvRows puts the header first in the first batch', async () => {
    const out: string[][][] = [];
    for await (const batch of readCsvRows(chunksOf([enc.encode(SEED)]), { batchSize: 1 })) out.push(batch);
    expect(out).toEqual([
      [
        ['email', 'firstName', 'lastName', 'company', 'title'],
        ['sarah@acme.com', 'Sarah', 'Chen', 'Acme Corp', 'VP Sales'],
      ],
      [['mike@bigco.io', 'Mike', 'Johnson', 'BigCo', 'CTO']],
    ]);
  });

  it('yields just the header for a header-only file', async () => {
    const out: string[][][] = [];
    for await (const batch of readCsvRows(chunksOf([enc.encode('email,name\r\n')]))) out.push(batch);
    expect(out).toEqual([[['email', 'name']]]);
    expect(await readAll([enc.encode('email,name')])).toEqual({
      header: ['email', 'name'],
      rows: [],
      batches: 1,
    });
  });

  it('empty_file for an empty source or empty chunks', async () => {
    expect((await csvError(readAll([]))).code).toBe('empty_file');
    expect((await csvError(readAll([new Uint8Array(0), '', enc.encode('  \n')]))).code).toBe('empty_file');
  });

  it('handles a byte-order mark split across chunks', async () => {
    const bytes = enc.encode('\uFEFFemail\na@x.co\n');
    expect(bytes[0]).toBe(0xef);
    const r = await readAll(splitAt(bytes, [1, 2, 3]));
    expect(r.header).toEqual(['email']);
    expect(r.rows).toEqual([['a@x.co']]);
  });

  it('binary_file for random bytes without NULs', async () => {
    let seed = 12345;
    const bytes = new Uint8Array(200_000);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = 1 + ((seed >>> 16) % 255);
    }
    const err = await csvError(readAll(splitAt(bytes, [100, 70_000])));
    expect(err.code).toBe('binary_file');
  });

  it('binary_file for UTF-16 text and zip-like content', async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from('email\n', (c) => [c.charCodeAt(0), 0]).flat()]);
    expect((await csvError(readAll([utf16]))).code).toBe('binary_file');
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);
    expect((await csvError(readAll([zip]))).code).toBe('binary_file');
  });

  it('does not flag a mostly-UTF-8 file with a few Latin-1 bytes as binary', async () => {
    const text = `email,name\n${Array.from({ length: 200 }, (_, i) => `u${i}@x.co,M\u00fcller`).join('\n')}\n`;
    const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0)); // ü as a lone 0xFC byte
    const r = await readAll([latin1]);
    expect(r.rows).toHaveLength(200);
    expect(r.rows[0]).toEqual(['u0@x.co', 'M\uFFFDller']);
  });

  it('fails fast with line_too_long on a 50 MB line fed in 64 KB chunks', async () => {
    for (const start of ['', 'email,name\n', 'email,name\n"']) {
      const chunk = enc.encode('a'.repeat(64 * 1024));
      let pulled = 0;
      async function* fifty() {
        yield enc.encode(start);
        for (let i = 0; i < 800; i++) {
          pulled++;
          yield chunk;
        }
      }
      const before = process.memoryUsage().heapUsed;
      let err: unknown;
      try {
        for await (const _ of readCsv(fifty())) {
          // no rows expected
        }
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CsvError);
      expect((err as CsvError).code).toBe('line_too_long');
      // the default limit is 1 MiB = 16 chunks: it stops right after the limit, not after 50 MB
      expect(pulled).toBeLessThanOrEqual(18);
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(40 * 1024 * 1024);
    }
  });

  it('checks rows continuing across pieces exactly (tiny chunks)', async () => {
    const opts = { maxLineBytes: 300 };
    const rowOf = (n: number) => `${'r'.repeat(n - 5)}@x.co`;
    const ok = `email\n${rowOf(300)}\nb@x.co\n${rowOf(299)}\nc@x.co\n`;
    const bytes = enc.encode(ok);
    const ones = splitAt(
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    expect((await readAll(ones, opts)).rows).toHaveLength(4);
    const bad = enc.encode(`email\n${rowOf(300)}\n${rowOf(301)}\nb@x.co\n`);
    const err = await csvError(readAll(splitAt(bad, [7, 150, 350, 500]), opts));
    expect(err.code).toBe('line_too_long');
    expect(err.row).toBe(3);
  });

  it('returns the source iterator when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        yield 'email\n';
        for (let i = 0; i < 100_000; i++) yield `u${i}@x.co\n`;
      } finally {
        closed = true;
      }
    }
    for await (const _ of readCsv(source(), { batchSize: 10 })) break;
    expect(closed).toBe(true);
  });
});

describe('chunk-boundary fuzz', () => {
  const TRICKY =
    '\uFEFFEmail;"First; Name";Notes;Company\r\n' +
    'zoë@x.co;"Zoë ""Z"" Müller";"multi\r\nline; with ""quotes""\r\n";Ácme €\r\n' +
    '\r\n' +
    'b@x.co;Bob;😀 emoji;"quoted ""end"""\r\n' +
    '"c@x.co";"";"";\r\n' +
    'short@x.co\r\n' +
    'd@x.co;D;"a\rb";x;extra\r' +
    'e@x.co;"E;e";"";"last"';

  const expected = parseCsvText(TRICKY);

  it('has the expected reference parse', () => {
    expect(expected).toEqual({
      header: ['Email', 'First; Name', 'Notes', 'Company'],
      delimiter: ';',
      rows: [
        ['zoë@x.co', 'Zoë "Z" Müller', 'multi\nline; with "quotes"\n', 'Ácme €'],
        ['b@x.co', 'Bob', '😀 emoji', 'quoted "end"'],
        ['c@x.co', '', '', ''],
        ['short@x.co', '', '', ''],
        ['d@x.co', 'D', 'a\nb', 'x', 'extra'],
        ['e@x.co', 'E;e', '', 'last'],
      ],
    });
  });

  const bytes = enc.encode(TRICKY);

  it('gives identical results split at every byte offset', async () => {
    for (let i = 0; i <= bytes.length; i++) {
      const r = await readAll(splitAt(bytes, [i]));
      expect({ header: r.header, rows: r.rows }, `split at ${i}`).toEqual({
        header: expected.header,
        rows: expected.rows,
      });
    }
  });

  it('gives identical results for random three-way splits and one-byte chunks', async () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let k = 0; k < 300; k++) {
      const offsets = [rnd(bytes.length + 1), rnd(bytes.length + 1)].sort((a, b) => a - b);
      const r = await readAll(splitAt(bytes, offsets), { batchSize: 1 + rnd(4) });
      expect(r.rows, `split at ${offsets}`).toEqual(expected.rows);
    }
    const ones = splitAt(
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    expect((await readAll(ones)).rows).toEqual(expected.rows);
  });

  it('gives identical results for text chunks split at every char and via CsvStreamParser', () => {
    for (let i = 0; i <= TRICKY.length; i++) {
      const p = new CsvStreamParser();
      const rows = [...p.write(TRICKY.slice(0, i)), ...p.write(TRICKY.slice(i)), ...p.end()];
      expect(rows, `split at ${i}`).toEqual(expected.rows);
      expect(p.header).toEqual(expected.header);
    }
  });

  it('gives identical results with small pieces (maxLineBytes forces 30-char pieces)', async () => {
    const small = { maxLineBytes: 90 }; // the longest row (quoted CRLFs normalised) is 71 bytes
    expect(parseCsvText(TRICKY, small).rows).toEqual(expected.rows);
    for (let i = 0; i <= bytes.length; i += 7) {
      expect((await readAll(splitAt(bytes, [i]), small)).rows).toEqual(expected.rows);
      expect((await readAll(splitAt(bytes, [i]), { maxLineBytes: 71 })).rows).toEqual(expected.rows);
      const err = await csvError(readAll(splitAt(bytes, [i]), { maxLineBytes: 70 }));
      expect(err.code).toBe('line_too_long');
      expect(err.row).toBe(2);
    }
  });
});

describe('streaming a large file', () => {
  it('parses 200,000 rows across many chunks with the right count', async () => {
    async function* gen() {
      yield enc.encode('email,first_name,last_name,company,title,city,phone,notes\n');
      let buf = '';
      for (let i = 0; i < 200_000; i++) {
        buf += `u${i}@x.co,Ann,Müller,"Acme, Inc",VP,Berlin,+49 ${i},"n ""${i}"""\n`;
        if (buf.length > 50_000) {
          yield enc.encode(buf);
          buf = '';
        }
      }
      yield enc.encode(buf);
    }
    let n = 0;
    let last: string[] | undefined;
    for await (const b of readCsv(gen())) {
      expect(b.rows.length).toBeLessThanOrEqual(1000);
      n += b.rows.length;
      last = b.rows[b.rows.length - 1];
    }
    expect(n).toBe(200_000);
    expect(last).toEqual([
      'u199999@x.co',
      'Ann',
      'Müller',
      'Acme, Inc',
      'VP',
      'Berlin',
      '+49 199999',
      'n "199999"',
    ]);
  });
});
