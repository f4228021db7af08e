import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

type Cell = string | number | null;

/** A CSV column: its header and how an item fills it. */
export type CsvColumn<T> = readonly [header: string, cell: (item: T) => Cell];

/**
 * Streams `items` to `res` as a CSV download. csv-stringify does the quoting, the newlines inside
 * cells and the formula-injection escaping (a cell that starts with =, +, -, @, tab or CR gets a
 * leading quote, so a spreadsheet shows it as text instead of running it). The byte-order mark
 * is what makes Excel read the file as UTF-8, Korean text included.
 */
export function sendCsv<T>(res: Response, filename: string, columns: readonly CsvColumn<T>[], items: Readable): Promise<void> {
  res.status(200).type('text/csv; charset=utf-8').attachment(filename);
  const csv = stringify({ bom: true, header: true, columns: columns.map(([header]) => header), escape_formulas: true });
  return pipeline(items, async function* cells(source: AsyncIterable<T>) {
    for await (const item of source) yield columns.map(([, cell]) => cell(item) ?? '');
  }, csv, res);
}
