import type { Db } from '../connection.ts';

/**
 * Rows per multi-row INSERT. One statement step then carries this many rows,
 * which saves most of the per-call cost (binding, stepping, resetting, and the
 * statement journal SQLite opens for each statement that fires triggers); the
 * triggers still run for every row, in order. On the ledger table this takes
 * about 1.4 times the rows per second of one row per statement (bench/findings.md).
 */
const ROWS_PER_STATEMENT = 32;

/**
 * Inserts rows of one table in order: full groups through one multi-row
 * statement, the rest one by one. Both statements are prepared once. They
 * bind by position because a 32-row VALUES list has no sensible names; the
 * column list is the one place that fixes the order. `onConflict` is appended
 * to both (e.g. `ON CONFLICT (id) DO NOTHING`). Used by the seed and the
 * history import, whose rows go in with every trigger, CHECK and index in place.
 */
export function batchInserter<Row>(db: Db, table: string, columns: ReadonlyArray<keyof Row & string>, onConflict = '') {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = (rows: number) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')} ${onConflict}`;
  const many = db.prepare(sql(ROWS_PER_STATEMENT));
  const one = db.prepare(sql(1));
  const values: unknown[] = new Array(ROWS_PER_STATEMENT * columns.length);
  const width = columns.length;
  return (rows: readonly Row[]): void => {
    let next = 0;
    for (; next + ROWS_PER_STATEMENT <= rows.length; next += ROWS_PER_STATEMENT) {
      for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
        const row = rows[next + r];
        for (let c = 0; c < width; c++) values[r * width + c] = row[columns[c]];
      }
      many.run(values);
    }
    for (; next < rows.length; next++) {
      const row = rows[next];
      one.run(columns.map((column) => row[column]));
    }
  };
}
