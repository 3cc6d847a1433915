import type pg from 'pg';
import { bindValues, compilePlaceholders, type Compiled } from './placeholders.ts';
import { statementFor, type Changes, type Params, type Snapshot, type Statement, type Storage, type Transaction } from './types.ts';

/** SQLSTATEs after which a whole transaction may simply be run again. */
const retryable = new Set(['40001', '40P01']);
/** How many times a transaction is tried before its serialization failure or deadlock is passed on. */
const ATTEMPTS = 8;

/**
 * A statement compiled once per process: its `$n` text, and the name it is prepared under on each
 * connection that runs it. A named statement is parsed and planned by PostgreSQL on its first use
 * on a connection; later uses send only its values (pg remembers per connection what it prepared).
 * Unnamed, every call parsed and planned it again: a third of a credit grant's database time, most
 * of it on statements the console runs thousands of times. The texts are the repositories'
 * constants (values travel as parameters, lists as arrays), so the names stay few. A text with
 * several commands (`SET LOCAL …; SET LOCAL …`) cannot be prepared and runs unnamed.
 */
interface Prepared extends Compiled {
  name: string | undefined;
}

const compiledCache = new Map<string, Prepared>();
const compiled = (statement: Statement): Prepared => {
  const sql = statementFor(statement, 'postgres');
  let found = compiledCache.get(sql);
  if (!found) {
    const placeholders = compilePlaceholders(sql);
    found = { ...placeholders, name: placeholders.text.includes(';') ? undefined : `td_${compiledCache.size + 1}` };
    compiledCache.set(sql, found);
  }
  return found;
};

type Client = pg.Pool | pg.ClientBase;

const query = <Row>(client: Client, statement: Statement, params?: Params): Promise<pg.QueryResult<pg.QueryResultRow>> => {
  const prepared = compiled(statement);
  return client.query<pg.QueryResultRow>({ name: prepared.name, text: prepared.text, values: bindValues(prepared, params) }) as Promise<
    pg.QueryResult<Row & pg.QueryResultRow>
  >;
};

const queriesOn = (client: Client) => ({
  engine: 'postgres' as const,
  all: async <Row>(statement: Statement, params?: Params): Promise<Row[]> => (await query<Row>(client, statement, params)).rows as Row[],
  get: async <Row>(statement: Statement, params?: Params): Promise<Row | undefined> =>
    (await query<Row>(client, statement, params)).rows[0] as Row | undefined,
  run: async (statement: Statement, params?: Params): Promise<Changes> => ({ changes: (await query(client, statement, params)).rowCount ?? 0 }),
});

/** The SQLSTATE of a PostgreSQL error (`23505`), or undefined for anything else. */
export const sqlState = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

/**
 * A statement prepared on this connection before its table's columns changed (another instance's
 * migration during a rolling upgrade): PostgreSQL refuses every later execution of it there. The
 * connection is dropped, so its prepared statements go with it, and the work runs again on a new one.
 */
const stalePlan = (error: unknown): boolean =>
  sqlState(error) === '0A000' && /cached plan must not change result type/.test((error as Error).message);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A seam transaction on the transaction `client` has open, its afterCommit callbacks collected in
 * `committed` for whoever commits it (the storage below; the history import's chunks).
 */
export function transactionOf(client: pg.ClientBase, committed: (() => void)[]): Transaction {
  let savepoints = 0;
  // As on SQLite: a released savepoint hands its callbacks outwards, a rolled-back one drops them.
  const frames: (() => void)[][] = [committed];
  const tx: Transaction = {
    ...queriesOn(client),
    afterCommit(callback: () => void): void {
      frames[frames.length - 1].push(callback);
    },
    async savepoint<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      const name = `sp_${++savepoints}`;
      await client.query(`SAVEPOINT ${name}`);
      frames.push([]);
      try {
        const value = await work(tx);
        await client.query(`RELEASE SAVEPOINT ${name}`);
        const callbacks = frames.pop() ?? [];
        frames[frames.length - 1].push(...callbacks);
        return value;
      } catch (error) {
        frames.pop();
        await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await client.query(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
    },
  };
  return tx;
}

/**
 * The storage seam on PostgreSQL (db/storage/types.ts), over a pool made by openPostgres(). Reads
 * outside a transaction take any pooled connection. A transaction holds one connection from BEGIN
 * to COMMIT at READ COMMITTED; refused for a serialization failure or a deadlock (which the locks
 * taken in one order make rare, docs/postgres.md), it is rolled back and run again from the start
 * after a short random pause, up to eight times.
 */
export function createPostgresStorage(pool: pg.Pool): Storage & { pool: pg.Pool } {
  const once = async <T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // The server may end a connection while it is checked out (idle_in_transaction_session_timeout
    // after this process was paused, a restart): pg then emits 'error' on the client, which with no
    // listener would end the process. The next query fails instead, and the client is not reused.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query(begin);
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      if (stalePlan(error)) broken = error as Error;
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: the pool must not hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };

  // A read outside a transaction: pg's pool drops a connection whose query failed, so a stale plan is read again on another.
  const reads = queriesOn(pool);
  const again = <T>(read: () => Promise<T>): Promise<T> => read().catch((error: unknown) => (stalePlan(error) ? read() : Promise.reject(error)));
  return {
    engine: 'postgres' as const,
    all: (statement, params) => again(() => reads.all(statement, params)),
    get: (statement, params) => again(() => reads.get(statement, params)),
    run: (statement, params) => again(() => reads.run(statement, params)),
    pool,
    async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        const committed: (() => void)[] = [];
        try {
          const value = await once('BEGIN', (client) => work(transactionOf(client, committed)));
          for (const callback of committed) queueMicrotask(callback);
          return value;
        } catch (error) {
          const state = sqlState(error);
          if (!state || !(retryable.has(state) || stalePlan(error)) || attempt >= ATTEMPTS) throw error;
          await pause(Math.random() * 10 * attempt);
        }
      }
    },
    snapshot<T>(work: (snapshot: Snapshot) => Promise<T>): Promise<T> {
      return once('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) => work(snapshotOf(client)));
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

/**
 * Reads on `client` inside the transaction it has open — what that transaction sees, its own
 * writes included — with `stream` through cursors (a cursor lives only inside a transaction).
 */
export function snapshotOf(client: pg.ClientBase): Snapshot {
  let cursors = 0;
  return {
    ...queriesOn(client),
    async *stream<Row>(statement: Statement, params?: Params, { batchSize = 1000 } = {}): AsyncIterable<Row> {
      const name = `cursor_${++cursors}`;
      const { text, slots } = compiled(statement);
      await client.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values: bindValues({ text, slots }, params) });
      try {
        for (;;) {
          const { rows } = await client.query<pg.QueryResultRow>(`FETCH ${batchSize} FROM ${name}`);
          for (const row of rows) yield row as Row;
          if (rows.length < batchSize) break;
        }
      } finally {
        await client.query(`CLOSE ${name}`);
      }
    },
  };
}
