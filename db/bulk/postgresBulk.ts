import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BulkWriter } from './types.ts';

/** COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c) : text;
}

/** Rows per write to the COPY stream: big enough that the stream's own cost per write stays small. */
const ROWS_PER_WRITE = 2000;

/** `rows` in COPY's text format, a few thousand lines per piece. */
function* copyText<Row>(rows: readonly Row[], columns: ReadonlyArray<keyof Row & string>): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
    let piece = '';
    const end = Math.min(rows.length, start + ROWS_PER_WRITE);
    for (let i = start; i < end; i++) piece += `${columns.map((c) => copyValue(rows[i][c])).join('\t')}\n`;
    yield piece;
  }
}

/**
 * The bulk writer on PostgreSQL: `COPY … FROM STDIN` on one connection of its own, in transactions
 * of that connection. Every row still passes the table's triggers, in the order written (the
 * ledger guard applies each entry as it checks it, db/migrations/postgres/008).
 */
export async function createPostgresBulkWriter(pool: pg.Pool): Promise<BulkWriter> {
  const client = await pool.connect();
  let broken: Error | undefined;
  return {
    engine: 'postgres',
    table<Row>(table: string, columns: ReadonlyArray<keyof Row & string>) {
      const statement = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
      return async (rows: readonly Row[]) => {
        if (rows.length === 0) return;
        // pipeline keeps to the stream's pace and settles once PostgreSQL has taken the COPY, or
        // with its refusal (a trigger, a CHECK), whenever during the writes it comes.
        await pipeline(Readable.from(copyText(rows, columns)), client.query(copyFrom(statement)));
      };
    },
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      await client.query('BEGIN');
      try {
        const value = await work();
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    },
    hasRows: async (table: string) => (await client.query(`SELECT 1 FROM ${table} LIMIT 1`)).rowCount !== 0,
    async release() {
      client.release(broken);
    },
  };
}
