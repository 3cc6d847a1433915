import { once } from 'node:events';
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
        const stream = client.query(copyFrom(statement));
        const done = once(stream, 'finish');
        for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
          let chunk = '';
          for (const row of rows.slice(start, start + ROWS_PER_WRITE)) chunk += `${columns.map((c) => copyValue(row[c])).join('\t')}\n`;
          if (!stream.write(chunk)) await once(stream, 'drain');
        }
        stream.end();
        await done;
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
