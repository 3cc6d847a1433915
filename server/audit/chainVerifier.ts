import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { openDatabase, type Db } from '../../db/connection.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import { auditRepository, createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import type { Snapshot, Storage } from '../../db/storage/types.ts';
import { CHAIN_ORIGIN, verifyChain, verifyChainStream, type ChainCheck } from './auditChain.ts';

/** What one verifying thread reads: the events with `after < seq <= upto` of the database at `location`. */
export interface ChainRange {
  /**
   * Where the thread opens the database itself, as it cannot share the caller's connections: the
   * SQLite file's path, or a PostgreSQL URL (`postgres://…` or `postgresql://…`).
   */
  location: string;
  after: number;
  upto: number;
  /** The range starts the chain: it picks up from the genesis hash, whatever its lowest seq. */
  first: boolean;
}

export interface VerifyOptions {
  /** Where threads open the database (as ChainRange.location); without it the chain is walked in this thread only. */
  location?: string;
  /** Threads to split a long chain over (default: the cores, at most 4). */
  threads?: number;
  /** Chains shorter than this are walked in this thread: starting threads costs more than it saves. */
  parallelFrom?: number;
}

const PARALLEL_FROM = 50_000;
const MAX_THREADS = 4;

const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//.test(location);

/**
 * Verifies the whole audit chain, in several threads when it is long. Each
 * event's check needs only its own row and the stored hash of the event before
 * it, so the chain splits into seq ranges laid end to end: each thread starts
 * from the stored hash before its range, which the thread before it checks.
 * The answer is the one a single walk in order gives: the first bad event of
 * the earliest range that has one, and the events checked up to it.
 *
 * A short chain is walked in this thread, in a snapshot of the storage; each
 * thread of a long one opens `options.location` on a connection of its own. A
 * better-sqlite3 connection is still taken in place of the storage
 * (bench/auditVerification.ts).
 */
export async function verifyAuditChain(source: Storage | Db, options: VerifyOptions = {}): Promise<ChainCheck> {
  if (!('snapshot' in source)) return verifyOnConnection(source, options);
  const storage = source;
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_THREADS);
  const { count, maxSeq } = await auditRepository.bounds(storage);
  const location = options.location;
  if (threads < 2 || count < (options.parallelFrom ?? PARALLEL_FROM) || location === undefined) {
    return storage.snapshot((snapshot) => verifyChainStream(auditRepository.streamChain(snapshot)));
  }

  const step = Math.ceil(maxSeq / threads);
  const ranges: ChainRange[] = Array.from({ length: threads }, (_, i) => ({
    location,
    // The outer ranges are open, so an event with an odd seq (0, negative, past the maximum read) is still read.
    after: i === 0 ? Number.MIN_SAFE_INTEGER : i * step,
    upto: i === threads - 1 ? Number.MAX_SAFE_INTEGER : (i + 1) * step,
    first: i === 0,
  }));
  // Every range goes to a thread, the first too: each reads on SQLite's fastest path (raw rows), and
  // this thread (the API server's, for GET /api/audit/verify) stays free meanwhile. The threads start
  // together, so the first range's quarter second of loading is paid once, alongside the others'.
  const results = await Promise.all(ranges.map(runRange));

  let checked = 0;
  for (const result of results) {
    checked += result.checked;
    if (!result.ok) return { ...result, checked };
  }
  return { ok: true, checked, first_bad_id: null };
}

/** verifyAuditChain on a better-sqlite3 connection, through a storage over its file. */
async function verifyOnConnection(db: Db, options: VerifyOptions): Promise<ChainCheck> {
  // An in-memory database has no second connection to read it.
  if (db.memory) return verifyChain(createAuditRepository(db).iterateChain());
  const storage = createSqliteStorage(db.name, { writer: db });
  try {
    return await verifyAuditChain(storage, { ...options, location: db.name });
  } finally {
    await storage.close();
  }
}

/** One range, read from a snapshot. */
async function verifyRangeIn(snapshot: Snapshot, range: ChainRange): Promise<ChainCheck> {
  // The stored hash of the event before the range: the range before this one checks that it is right.
  const start = range.first ? CHAIN_ORIGIN : ((await auditRepository.atOrBefore(snapshot, range.after)) ?? CHAIN_ORIGIN);
  return verifyChainStream(auditRepository.streamChainRange(snapshot, range.after, range.upto), start);
}

/** One range on a better-sqlite3 connection, as raw rows: SQLite's verifying threads take this fastest path. */
function verifyRangeOn(db: Db, range: ChainRange): ChainCheck {
  const repo = createAuditRepository(db);
  const start = range.first ? CHAIN_ORIGIN : (repo.atOrBefore(range.after) ?? CHAIN_ORIGIN);
  return verifyChain(repo.iterateChainRange(range.after, range.upto), start);
}

/**
 * One range on a connection of its own to `range.location` (chainWorker.ts runs this in a thread
 * of its own): a read-only SQLite connection, or one PostgreSQL connection holding a snapshot.
 */
export async function verifyRangeAt(range: ChainRange): Promise<ChainCheck> {
  if (isPostgresUrl(range.location)) {
    const storage = createPostgresStorage(openPostgres(range.location, { max: 1, applicationName: 'token-desk audit:verify' }));
    try {
      return await storage.snapshot((snapshot) => verifyRangeIn(snapshot, range));
    } finally {
      await storage.close();
    }
  }
  const db = openDatabase(range.location, { readonly: true });
  try {
    return verifyRangeOn(db, range);
  } finally {
    db.close();
  }
}

/**
 * The thread's script. The compiled server (scripts/buildServer.ts) has the
 * worker as plain JavaScript beside its own bundle. From the TypeScript
 * sources, Node 20 does not pass `--import tsx` on to worker threads, so a
 * one-line JavaScript entry registers tsx in the thread and then loads it.
 */
function workerScript(): { filename: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { filename: new URL('./chainWorker.mjs', import.meta.url), eval: false };
  const entry = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./chainWorker.ts', import.meta.url).href)}); });`;
  return { filename: entry, eval: true };
}

function runRange(range: ChainRange): Promise<ChainCheck> {
  return new Promise((resolve, reject) => {
    const script = workerScript();
    const worker = new Worker(script.filename, { eval: script.eval, workerData: range });
    worker.once('message', (result: ChainCheck) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`audit chain thread exited with code ${code}`));
    });
  });
}
