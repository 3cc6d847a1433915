import pg from 'pg';

/** Per-connection limits, in milliseconds; 0 turns one off. */
export interface PostgresTimeouts {
  /**
   * The longest a statement waits for a row or table lock. Short, so that an
   * instance stuck while holding a lock (paused, partitioned) makes the others
   * fail fast (the server answers 503 with Retry-After) instead of hanging.
   */
  lockTimeoutMs: number;
  /** The longest one statement may run. */
  statementTimeoutMs: number;
  /**
   * The longest a transaction may sit idle: the server then ends that session
   * and its locks go with it, so a stopped instance cannot hold others up.
   */
  idleInTransactionTimeoutMs: number;
}

export interface PostgresOptions extends Partial<PostgresTimeouts> {
  /** Shown in pg_stat_activity and the server's log lines. */
  applicationName?: string;
  /** Connections the pool opens at most. */
  max?: number;
  /** How long pool.connect() waits for a connection before failing. */
  connectionTimeoutMs?: number;
  /**
   * Told of an error on a connection sitting idle in the pool (the server
   * restarted, the network dropped it). The pool has already thrown that
   * connection away and opens a new one when asked: the error is news, not
   * a failure of any query. Without a listener such an error would end the
   * process, so the default only ignores it.
   */
  onIdleConnectionError?: (error: Error) => void;
}

export const defaultTimeouts: PostgresTimeouts = {
  lockTimeoutMs: 3_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 10_000,
};

const INT8 = 20;
const NUMERIC = 1700;
const INT8_ARRAY = 1016;
const NUMERIC_ARRAY = 1231;

/**
 * COUNT(*) is bigint and SUM() of integers is numeric, which pg hands over as
 * strings so as never to lose a digit. Token amounts and counts are whole
 * numbers far inside 2^53, so they become numbers here, the same as SQLite
 * gives them; one that is not exact as a JS number stops the query loudly
 * rather than come back rounded.
 */
export function parseWholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`PostgreSQL returned ${text}, which a JavaScript number cannot hold exactly`);
  }
  return value;
}

/** numeric: whole numbers as parseWholeNumber does; fractions (an AVG, a ratio) as the nearest number. */
export function parseNumeric(text: string): number {
  if (/^-?\d+$/.test(text)) return parseWholeNumber(text);
  return Number(text);
}

type Nested = string | null | Nested[];
type NestedNumbers = number | null | NestedNumbers[];
const mapNested = (value: Nested, parse: (text: string) => number): NestedNumbers =>
  value === null ? null : Array.isArray(value) ? value.map((item) => mapNested(item, parse)) : parse(value);

function arrayOf(oid: number, parse: (text: string) => number): (text: string) => NestedNumbers {
  const parseArray = pg.types.getTypeParser(oid, 'text') as (text: string) => Nested;
  return (text) => mapNested(parseArray(text), parse);
}

const ownParsers = new Map<number, (text: string) => unknown>([
  [INT8, parseWholeNumber],
  [NUMERIC, parseNumeric],
  [INT8_ARRAY, arrayOf(INT8_ARRAY, parseWholeNumber)],
  [NUMERIC_ARRAY, arrayOf(NUMERIC_ARRAY, parseNumeric)],
]);

// Given to this pool only: pg.types.setTypeParser would change every pool of the process.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text' && ownParsers.has(oid)
      ? ownParsers.get(oid)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A pool of connections to the PostgreSQL database at `url`
 * (`postgres://user:password@host:port/db`), configured for Token Desk:
 * bigint and numeric results as numbers, the timeouts of PostgresTimeouts
 * and an application_name set on every connection when it opens (as
 * startup parameters, so no query can run before they hold). Settings
 * written in the URL itself (`?application_name=…&lock_timeout=…`) win over
 * these.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): pg.Pool {
  const timeouts = { ...defaultTimeouts, ...definedOnly(options) };
  const pool = new pg.Pool({
    connectionString: url,
    types,
    application_name: options.applicationName ?? 'token-desk',
    lock_timeout: timeouts.lockTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
  });
  pool.on('error', options.onIdleConnectionError ?? (() => {}));
  return pool;
}

function definedOnly(options: PostgresOptions): Partial<PostgresTimeouts> {
  const picked: Partial<PostgresTimeouts> = {};
  if (options.lockTimeoutMs !== undefined) picked.lockTimeoutMs = options.lockTimeoutMs;
  if (options.statementTimeoutMs !== undefined) picked.statementTimeoutMs = options.statementTimeoutMs;
  if (options.idleInTransactionTimeoutMs !== undefined) picked.idleInTransactionTimeoutMs = options.idleInTransactionTimeoutMs;
  return picked;
}
