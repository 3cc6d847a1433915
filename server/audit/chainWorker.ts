import { parentPort, workerData } from 'node:worker_threads';
import { verifyRangeAt, type ChainRange } from './chainVerifier.ts';

/** One thread of verifyAuditChain: a range of the chain, on a connection of its own to the database's location. */
parentPort?.postMessage(await verifyRangeAt(workerData as ChainRange));
