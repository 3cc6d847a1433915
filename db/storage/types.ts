/**
 * The storage seam: what repositories and services use to reach the database, the same on both
 * engines (docs/postgres.md). Every call is async; SQL stays raw, written once where the dialects
 * agree and per engine where they do not.
 */
export type Engine = 'sqlite' | 'postgres';

/**
 * One SQL statement. Placeholders are `?` (positional, values in an array) or `@name` (named,
 * values in an object) — the SQLite spelling; on PostgreSQL they become `$1, $2, …`.
 */
export type Statement = string | { readonly sqlite: string; readonly postgres: string };

// `object` rather than a record type, so that row interfaces (which have no index signature) bind as they are.
export type Params = readonly unknown[] | object;

export interface Changes {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

/** Something statements can run on: the storage itself (reads outside a transaction) or a transaction. */
export interface Queryable {
  readonly engine: Engine;
  all<Row>(statement: Statement, params?: Params): Promise<Row[]>;
  get<Row>(statement: Statement, params?: Params): Promise<Row | undefined>;
  run(statement: Statement, params?: Params): Promise<Changes>;
}

/** A transaction in progress; its statements see its own writes. */
export interface Transaction extends Queryable {
  /** Runs `work` in a savepoint: when it throws, its writes alone are undone and the error passed on. */
  savepoint<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Calls `callback` once this transaction has committed (never when it, or the savepoint that
   * registered it, is rolled back; on PostgreSQL not for an attempt that is run again): for what
   * must not happen before the writes are visible, such as waking the delivery dispatcher.
   * Callbacks run after the transaction's promise settles, in registration order, and must not throw.
   */
  afterCommit(callback: () => void): void;
}

/** A read-only view of the database as it was when the snapshot began, for long reads (exports, verifiers). */
export interface Snapshot extends Queryable {
  /**
   * The rows of `statement`, fetched a batch at a time, in constant memory. No other statement may
   * run on the snapshot until the iteration ends.
   */
  stream<Row>(statement: Statement, params?: Params, options?: { batchSize?: number }): AsyncIterable<Row>;
}

export interface Storage extends Queryable {
  /**
   * Runs `work` as one transaction that writes: committed when it resolves, rolled back when it
   * throws. On SQLite, transactions arriving together share one `BEGIN IMMEDIATE … COMMIT` (each in
   * a savepoint of its own); on PostgreSQL, a transaction refused for a serialization failure or a
   * deadlock is run again from the start — so `work` must do nothing but database work that can be
   * repeated. No promise settles before its COMMIT has returned.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs `work` on a consistent read-only snapshot, on a connection of its own. */
  snapshot<T>(work: (snapshot: Snapshot) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The text of `statement` for `engine`. */
export const statementFor = (statement: Statement, engine: Engine): string =>
  typeof statement === 'string' ? statement : statement[engine];
