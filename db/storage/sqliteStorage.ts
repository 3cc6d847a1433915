import type Database from 'better-sqlite3';
import { openDatabase, type Db } from '../connection.ts';
import { statementFor, type Changes, type Params, type Snapshot, type Statement, type Storage, type Transaction } from './types.ts';

/** Prepared statements of one connection, by their text: each is prepared once. */
const statementCache = (db: Db) => {
  const cache = new Map<string, Database.Statement>();
  return (sql: string): Database.Statement => {
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      cache.set(sql, prepared);
    }
    return prepared;
  };
};

// better-sqlite3 takes an array as the values of `?` and an object as the values of `@name`.
const bind = (params: Params | undefined): unknown[] => (params === undefined ? [] : Array.isArray(params) ? params : [params]);

/** Statements on one connection, answered at once (better-sqlite3 is synchronous). */
const queriesOn = (db: Db) => {
  const prepare = statementCache(db);
  return {
    engine: 'sqlite' as const,
    all: async <Row>(statement: Statement, params?: Params): Promise<Row[]> =>
      prepare(statementFor(statement, 'sqlite')).all(...bind(params)) as Row[],
    get: async <Row>(statement: Statement, params?: Params): Promise<Row | undefined> =>
      prepare(statementFor(statement, 'sqlite')).get(...bind(params)) as Row | undefined,
    run: async (statement: Statement, params?: Params): Promise<Changes> => ({
      changes: prepare(statementFor(statement, 'sqlite')).run(...bind(params)).changes,
    }),
  };
};

interface Pending {
  work: (tx: Transaction) => Promise<unknown>;
  /** When the transaction was asked for: it waits for another process's write lock at most busyWaitMs from then. */
  queuedAt: number;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/**
 * The storage seam on SQLite (db/storage/types.ts). One connection writes, and only inside
 * transactions; reads outside a transaction go to a second connection, so that no one reads what
 * a transaction has written and not yet committed while its work awaits (WAL gives that reader
 * the last committed state). A file path is required: an in-memory database has no second connection.
 *
 * `options.writer` hands over an open connection to write on (the one the server's synchronous
 * code still uses while it moves onto this seam): a batch never outlives the event-loop turn it
 * runs in as long as its work awaits nothing but this storage, so the synchronous code never finds
 * that connection inside a transaction. The caller keeps closing it.
 *
 * Transactions queued during one turn of the event loop share one `BEGIN IMMEDIATE … COMMIT`, each
 * in a savepoint of its own, run one after another in arrival order: under `synchronous=FULL` the
 * COMMIT is what waits for the disk (BENCHMARKS.md). No promise settles before that COMMIT
 * has returned; when it fails, every transaction of the batch is refused and none was written.
 */
export function createSqliteStorage(path: string, options: { writer?: Db; busyWaitMs?: number } = {}): Storage & { writer: Db } {
  const writer = options.writer ?? openDatabase(path);
  const busyWaitMs = options.busyWaitMs ?? BUSY_WAIT_MS;

  /**
   * `BEGIN IMMEDIATE`, waiting for another process's write lock without blocking the event loop:
   * SQLite's own busy timeout sleeps inside the call, and every request of this process would wait
   * behind it (reads and health checks too). Tried at once, then again after short, growing pauses,
   * until `deadline()` (which may move while it waits); then SQLite's busy error is thrown.
   */
  const beginImmediate = async (deadline: () => number): Promise<void> => {
    const timeout = writer.pragma('busy_timeout', { simple: true }) as number;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      writer.pragma('busy_timeout = 0');
      try {
        writer.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || performance.now() >= deadline()) throw error;
      } finally {
        writer.pragma(`busy_timeout = ${timeout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  };
  const reader = openDatabase(path, { readonly: true });
  const reads = queriesOn(reader);
  const writes = queriesOn(writer);
  let savepoints = 0;
  // The afterCommit callbacks of each savepoint open, innermost last: a released savepoint hands
  // its callbacks to the one around it, a rolled-back one drops them.
  const callbackFrames: (() => void)[][] = [];

  const inSavepoint = async <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => {
    const name = `sp_${++savepoints}`;
    writer.exec(`SAVEPOINT ${name}`);
    callbackFrames.push([]);
    try {
      const value = await work(transaction);
      writer.exec(`RELEASE ${name}`);
      const callbacks = callbackFrames.pop() ?? [];
      callbackFrames.at(-1)?.push(...callbacks);
      return value;
    } catch (error) {
      callbackFrames.pop();
      // SQLite ends the whole transaction on some errors (a full disk, an I/O error): then there
      // is no savepoint left to roll back to, and the batch must fail as a whole.
      if (!writer.inTransaction) throw new BatchAborted(error);
      writer.exec(`ROLLBACK TO ${name}`);
      writer.exec(`RELEASE ${name}`);
      throw error;
    }
  };
  const transaction: Transaction = {
    ...writes,
    savepoint: inSavepoint,
    afterCommit(callback: () => void): void {
      const frame = callbackFrames.at(-1);
      if (!frame) throw new Error('afterCommit is called inside a transaction');
      frame.push(callback);
    },
  };

  let queue: Pending[] = [];
  let running: Promise<void> = Promise.resolve();

  /** Runs `batch` in the transaction already begun, then commits it. */
  const runBatch = async (batch: Pending[]): Promise<void> => {
    const outcomes: ({ ok: true; value: unknown; callbacks: (() => void)[] } | { ok: false; error: unknown })[] = [];
    try {
      for (const item of batch) {
        callbackFrames.push([]);
        try {
          const value = await inSavepoint(item.work);
          outcomes.push({ ok: true, value, callbacks: callbackFrames.pop() ?? [] });
        } catch (error) {
          callbackFrames.pop();
          if (error instanceof BatchAborted) throw error.cause;
          outcomes.push({ ok: false, error });
        }
      }
      writer.exec('COMMIT');
    } catch (error) {
      if (writer.inTransaction) writer.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) {
        item.resolve(outcome.value as never);
        for (const callback of outcome.callbacks) queueMicrotask(callback);
      } else {
        item.reject(outcome.error);
      }
    });
  };

  /**
   * Takes the write lock for what is queued, then runs all of it as one batch. What arrives while
   * the lock is awaited joins that batch; each transaction waits at most `busyWaitMs` from its
   * arrival, so waits never add up behind one another: when the oldest runs out of time it is
   * refused alone and the rest keep waiting.
   */
  const writeQueued = async (): Promise<void> => {
    while (queue.length > 0) {
      try {
        await beginImmediate(() => (queue.length > 0 ? queue[0].queuedAt + busyWaitMs : 0));
      } catch (error) {
        const now = performance.now();
        const expired = isBusy(error) ? queue.filter((item) => item.queuedAt + busyWaitMs <= now) : queue;
        queue = queue.filter((item) => !expired.includes(item));
        for (const item of expired) item.reject(error);
        continue;
      }
      const batch = queue;
      queue = [];
      await runBatch(batch);
    }
  };

  const flush = (): void => {
    // One batch at a time on the one writer: what arrives meanwhile waits for this COMMIT and then
    // goes together as the next batch.
    running = running.then(writeQueued);
  };

  return {
    ...reads,
    writer,
    transaction: <T>(work: (tx: Transaction) => Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: never) => void, reject, queuedAt: performance.now() });
        if (queue.length === 1) setImmediate(flush);
      }),
    async snapshot<T>(work: (snapshot: Snapshot) => Promise<T>): Promise<T> {
      const db = openDatabase(path, { readonly: true });
      try {
        db.exec('BEGIN');
        const queries = queriesOn(db);
        const snapshot: Snapshot = {
          ...queries,
          async *stream<Row>(statement: Statement, params?: Params): AsyncIterable<Row> {
            // The first read fixes the snapshot; iterate() then holds the connection until done.
            for (const row of db.prepare(statementFor(statement, 'sqlite')).iterate(...bind(params))) yield row as Row;
          },
        };
        // A deferred transaction takes its snapshot at its first read.
        await queries.get('SELECT 1');
        return await work(snapshot);
      } finally {
        if (db.inTransaction) db.exec('COMMIT');
        db.close();
      }
    },
    async close(): Promise<void> {
      // A transaction asked for in this turn of the event loop is flushed on the next: let it run first.
      await new Promise((resolve) => setImmediate(resolve));
      await running;
      reader.close();
      if (!options.writer) writer.close();
    },
  };
}

const isBusy = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'SQLITE_BUSY';

/** How long a transaction waits for another process's write lock before it is refused as busy. */
const BUSY_WAIT_MS = 5000;

/** The transaction ended under a piece of work: the whole batch fails with `cause`. */
class BatchAborted extends Error {
  constructor(cause: unknown) {
    super('The SQLite transaction ended under a piece of work', { cause });
  }
}
