import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/connection.ts';
import { verifyRange, type ChainRange } from './chainVerifier.ts';

/** One thread of verifyAuditChain: a range of the chain, on a read-only connection of its own. */
const range = workerData as ChainRange;
const db = openDatabase(range.path, { readonly: true });
try {
  parentPort?.postMessage(verifyRange(db, range));
} finally {
  db.close();
}
