import { Worker } from 'node:worker_threads';
import type { FileIdentity, FilePosition } from './eventFile.ts';
import type { WindowItem } from './historyWindow.ts';
import type { ParsedBatchMessage, ParseWorkerData } from './parseWorker.ts';

/** The checked lines of a file, as the parsing thread delivers them. */
export interface ParsedLines {
  /** The next batch, or null at the end of the file; rejects when the file cannot be read further. */
  next(): Promise<WindowItem[] | null>;
  /** Bytes of the file read so far (of the .gz itself for a gzip file). */
  rawBytes(): number;
  stop(): Promise<void>;
}

/**
 * The thread's script. From the TypeScript sources (the command-line tools run
 * through tsx), Node 20 does not pass `--import tsx` on to worker threads, so a
 * one-line entry registers tsx in the thread first, as the audit chain's
 * threads do (server/audit/chainVerifier.ts).
 */
function workerScript(): { filename: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { filename: new URL('./parseWorker.mjs', import.meta.url), eval: false };
  const entry = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./parseWorker.ts', import.meta.url).href)}); });`;
  return { filename: entry, eval: true };
}

/**
 * Starts the parsing thread on `identity`; it reads once `read(from)` says
 * where (the thread loads its code meanwhile, while the caller reads its
 * checkpoint). At most about `maxInFlight` lines wait in memory.
 */
export function prepareParsing(identity: FileIdentity, maxInFlight: number): { read(from: FilePosition): ParsedLines; stop(): Promise<void> } {
  const script = workerScript();
  const worker = new Worker(script.filename, { eval: script.eval, workerData: { identity, maxInFlight } satisfies ParseWorkerData });
  return {
    read: (from) => {
      worker.postMessage(from);
      return linesFrom(worker, identity);
    },
    stop: async () => {
      await worker.terminate();
    },
  };
}

function linesFrom(worker: Worker, identity: FileIdentity): ParsedLines {
  const queue: ParsedBatchMessage[] = [];
  let waiting: ((message: ParsedBatchMessage) => void) | null = null;
  let raw = 0;
  let finished = false;
  const deliver = (message: ParsedBatchMessage): void => {
    if (waiting) {
      const take = waiting;
      waiting = null;
      take(message);
    } else queue.push(message);
  };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ kind: 'failed', message: error.message }));
  worker.on('exit', (code) => {
    if (!finished && code !== 0) deliver({ kind: 'failed', message: `the parsing thread stopped (exit code ${code})` });
  });

  return {
    async next(): Promise<WindowItem[] | null> {
      if (finished) return null;
      const message = queue.shift() ?? (await new Promise<ParsedBatchMessage>((resolve) => (waiting = resolve)));
      if (message.kind === 'failed') {
        finished = true;
        throw new Error(`${identity.path}: ${message.message}`);
      }
      raw = message.rawBytes;
      if (message.kind === 'end') {
        finished = true;
        return null;
      }
      worker.postMessage(message.items.length);
      return message.items;
    },
    rawBytes: () => raw,
    async stop(): Promise<void> {
      finished = true;
      await worker.terminate();
    },
  };
}
