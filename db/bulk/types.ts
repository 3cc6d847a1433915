import type { Engine } from '../storage/types.ts';

/** Writes rows of one table, in the order given, every trigger, CHECK and index in place. */
export type BulkTable<Row> = (rows: readonly Row[]) => Promise<void>;

/**
 * A connection for loading many rows (the seed, and history loads): one transaction at a time,
 * rows going in by the engine's fastest path — SQLite's multi-row INSERTs, PostgreSQL's COPY.
 * Nothing here bypasses the schema: the database checks every row as it would one the console
 * writes. A writer is used by one loader at a time and nothing else writes on its connection.
 */
export interface BulkWriter {
  readonly engine: Engine;
  /** A writer of `table`'s `columns`, to use inside `transaction`. */
  table<Row>(table: string, columns: ReadonlyArray<keyof Row & string>): BulkTable<Row>;
  /** Runs `work` as one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Whether `table` holds any row. */
  hasRows(table: string): Promise<boolean>;
  /** Gives the connection back (the database itself stays open). */
  release(): Promise<void>;
}
