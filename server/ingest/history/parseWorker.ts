import { parentPort, workerData } from 'node:worker_threads';
import { ingestDataSchemas, ingestEventEnvelopeSchema } from '../../../shared/ingestEvents.ts';
import { describeIssues } from '../ingestRules.ts';
import { MAX_LINE_BYTES, readFileLines, type FileIdentity, type FilePosition } from './eventFile.ts';
import type { WindowItem } from './historyWindow.ts';

/** What the import thread sends: a batch of checked lines, the end of the file, or why reading stopped. */
export type ParsedBatchMessage =
  | { kind: 'batch'; items: WindowItem[]; rawBytes: number }
  | { kind: 'end'; rawBytes: number }
  | { kind: 'failed'; message: string };

export interface ParseWorkerData {
  identity: FileIdentity;
  /** Lines sent and not yet taken by the importing thread, at most: what bounds the memory. */
  maxInFlight: number;
}

const idOf = (raw: unknown): string | null =>
  typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id.slice(0, 200) : null;

/** One line checked with the same schemas as POST /api/ingest/events (shared/ingestEvents.ts). */
function checkLine(line: number, end: number, text: string): WindowItem {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { line, end, id: null, error: 'not valid JSON' };
  }
  const envelope = ingestEventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { line, end, id: idOf(raw), error: describeIssues(envelope.error, '') };
  const { id, type, occurred_at: occurredAt } = envelope.data;
  const data = ingestDataSchemas[type].safeParse(envelope.data.data);
  if (!data.success) return { line, end, id, error: describeIssues(data.error, 'data') };
  return { line, end, event: { id, type, occurredAt, data: data.data as Record<string, unknown> } };
}

/**
 * The parsing thread of the history import: reads the file, parses and
 * validates each line (the zod schemas cost about as much as the inserts do),
 * and hands the checked lines to the importing thread, which only loads them.
 * The two run on two cores at once; at most about `maxInFlight` lines wait.
 */
async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('parseWorker.ts runs as a worker thread');
  const { identity, maxInFlight } = workerData as ParseWorkerData;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  // The first message says where to start; then the importing thread answers each batch it takes with its number of lines.
  const from = await new Promise<FilePosition>((resolve) => port.once('message', resolve));
  port.on('message', (taken: number) => {
    inFlight -= taken;
    wake?.();
  });
  const { batches, rawBytes } = readFileLines(identity, from);
  try {
    for await (const lines of batches) {
      const items = lines.map((l) =>
        l.tooLong ? { line: l.line, end: l.end, id: null, error: `line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB` } : checkLine(l.line, l.end, l.text),
      );
      while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      inFlight += items.length;
      port.postMessage({ kind: 'batch', items, rawBytes: rawBytes() } satisfies ParsedBatchMessage);
    }
    port.postMessage({ kind: 'end', rawBytes: rawBytes() } satisfies ParsedBatchMessage);
  } catch (error) {
    port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies ParsedBatchMessage);
  }
  port.close();
}

await run();
