import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import type { Logger } from 'pino';

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | number | null;
}

/**
 * Streams rows as CSV, one at a time, with a header row. Cells that start
 * with = + - @ (or a tab or carriage return) are prefixed with a quote, so a
 * spreadsheet shows them as text instead of running them as formulas. A row
 * is read only when the response can take more (constant memory, however
 * long the list); resolves once the stream ends, however it ends.
 */
export async function streamCsv<Row>(
  res: Response,
  filename: string,
  columns: CsvColumn<Row>[],
  rows: AsyncIterable<Row>,
  log: Logger,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  async function* records(): AsyncGenerator<(string | number | null)[]> {
    for await (const row of rows) yield columns.map((column) => column.value(row));
  }
  try {
    await pipeline(
      Readable.from(records()),
      stringify({ header: true, columns: columns.map((c) => c.header), escape_formulas: true, bom: false }),
      res,
    );
  } catch (error) {
    // A client that goes away mid-download ends the stream; nothing to answer then.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err: error }, 'CSV export stopped');
  }
}
