import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connection.ts';
import { createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { CHAIN_ORIGIN, verifyChain, type ChainCheck } from './auditChain.ts';

/** What one verifying thread reads: the events with `after < seq <= upto` of the file at `path`. */
export interface ChainRange {
  path: string;
  after: number;
  upto: number;
  /** The range starts the chain: it picks up from the genesis hash, whatever its lowest seq. */
  first: boolean;
}

export interface VerifyOptions {
  /** Threads to split a long chain over (default: the cores, at most 4). */
  threads?: number;
  /** Chains shorter than this are walked in this thread: starting threads costs more than it saves. */
  parallelFrom?: number;
}

const PARALLEL_FROM = 50_000;
const MAX_THREADS = 4;

/**
 * Verifies the whole audit chain, in several threads when it is long. Each
 * event's check needs only its own row and the stored hash of the event before
 * it, so the chain splits into seq ranges laid end to end: each thread starts
 * from the stored hash before its range, which the thread before it checks.
 * The answer is the one a single walk in order gives: the first bad event of
 * the earliest range that has one, and the events checked up to it.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<ChainCheck> {
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_THREADS);
  const repo = createAuditRepository(db);
  const { count, maxSeq } = repo.bounds();
  if (threads < 2 || count < (options.parallelFrom ?? PARALLEL_FROM) || db.memory) return verifyChain(repo.iterateChain());

  const step = Math.ceil(maxSeq / threads);
  const ranges: ChainRange[] = Array.from({ length: threads }, (_, i) => ({
    path: db.name,
    // The outer ranges are open, so an event with an odd seq (0, negative, past the maximum read) is still read.
    after: i === 0 ? Number.MIN_SAFE_INTEGER : i * step,
    upto: i === threads - 1 ? Number.MAX_SAFE_INTEGER : (i + 1) * step,
    first: i === 0,
  }));
  // This thread walks the first range while the others start: a thread takes a quarter second to load.
  const others = Promise.all(ranges.slice(1).map(runRange));
  const results = [verifyRange(db, ranges[0]), ...(await others)];

  let checked = 0;
  for (const result of results) {
    checked += result.checked;
    if (!result.ok) return { ...result, checked };
  }
  return { ok: true, checked, first_bad_id: null };
}

/** One range on the given connection (chainWorker.ts runs this in a thread of its own). */
export function verifyRange(db: Db, range: ChainRange): ChainCheck {
  const repo = createAuditRepository(db);
  // The stored hash of the event before the range: the range before this one checks that it is right.
  const start = range.first ? CHAIN_ORIGIN : (repo.atOrBefore(range.after) ?? CHAIN_ORIGIN);
  return verifyChain(repo.iterateChainRange(range.after, range.upto), start);
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
