import { identifyFile, type FileIdentity } from './eventFile.ts';
import { ChunkRefused, type ChunkResult, type HistoryLoader } from './historyLoader.ts';
import type { WindowItem } from './historyWindow.ts';
import type { ImportProgress } from './importProgress.ts';
import { prepareParsing } from './parsedLines.ts';

export interface HistoryImportOptions {
  path: string;
  /** Lines per chunk, each chunk one transaction. */
  chunkSize: number;
  progress?: ImportProgress;
}

export interface HistoryImportOutcome {
  file: FileIdentity;
  /** The ledger's last seq before the file's first run: the entries after it are the import's. */
  ledgerSeqBefore: number;
  /** The file was imported whole by an earlier run: nothing was read. */
  alreadyImported: boolean;
  /** This run alone; `fromLine` is the line it started after (0 for a first run). */
  run: ChunkResult & { fromLine: number; seconds: number; chunks: number; refusedChunks: number };
}

/**
 * The bulk history import (`npm run import -- FILE --history`): reads the
 * file on a thread of its own (parsedLines.ts), and loads it in chunks of
 * `chunkSize` lines, each one transaction that also moves the file's
 * checkpoint, so a run stopped anywhere continues where it stopped. Events
 * that waited for a parent and whose parent is stored now go first in a
 * chunk. A chunk the database refuses (a constraint or trigger the checks
 * missed) is split in halves until the lines it refuses are found; those are
 * rejected, naming the database's reason, and the rest is loaded. At the end
 * of the file, events still waiting for a parent are rejected.
 */
export async function importHistory(loader: HistoryLoader, options: HistoryImportOptions): Promise<HistoryImportOutcome> {
  const file = identifyFile(options.path);
  const started = performance.now();
  // Two chunks' worth of lines may wait parsed: the thread keeps reading while a chunk is written.
  const parsing = prepareParsing(file, 2 * options.chunkSize);
  let first: Awaited<ReturnType<HistoryLoader['begin']>>;
  try {
    first = await loader.begin(file);
  } catch (error) {
    await parsing.stop();
    throw error;
  }
  const run = { events: 0, applied: 0, duplicates: 0, rejected: 0, ledgerRows: 0, fromLine: first.line, seconds: 0, chunks: 0, refusedChunks: 0 };
  const ledgerSeqBefore = first.ledger_seq_before;
  if (first.finished_at !== null) {
    await parsing.stop();
    return { file, ledgerSeqBefore, alreadyImported: true, run };
  }

  const add = (result: ChunkResult): void => {
    run.events += result.events;
    run.applied += result.applied;
    run.duplicates += result.duplicates;
    run.rejected += result.rejected;
    run.ledgerRows += result.ledgerRows;
    run.chunks++;
  };
  const load = async (items: readonly WindowItem[]): Promise<void> => {
    try {
      add(await loader.loadChunk(items));
    } catch (error) {
      if (!(error instanceof ChunkRefused)) throw error;
      run.refusedChunks++;
      if (items.length === 1) {
        add(await loader.rejectAlone(items[0], `the database refused it: ${error.message}`));
        return;
      }
      const half = Math.ceil(items.length / 2);
      await load(items.slice(0, half));
      await load(items.slice(half));
    }
  };

  const lines = parsing.read({ offset: first.byte_offset, line: first.line });
  let batch: WindowItem[] = [];
  let taken = 0;
  let ended = false;
  const fill = async (items: WindowItem[]): Promise<void> => {
    while (items.length < options.chunkSize) {
      if (taken === batch.length) {
        if (ended) return;
        const next = await lines.next();
        if (next === null) {
          ended = true;
          return;
        }
        batch = next;
        taken = 0;
      }
      const count = Math.min(options.chunkSize - items.length, batch.length - taken);
      for (let i = 0; i < count; i++) items.push(batch[taken + i]);
      taken += count;
    }
  };

  try {
    let waiting = await loader.waitingCount();
    for (;;) {
      const items = await loader.waitedEvents(options.chunkSize);
      await fill(items);
      if (items.length === 0) break;
      await load(items);
      if (run.chunks % 16 === 0) waiting = await loader.waitingCount();
      options.progress?.update({ rawBytes: lines.rawBytes(), ledgerRows: run.ledgerRows, events: run.events, waiting });
    }
  } finally {
    await lines.stop();
  }
  run.rejected += await loader.finish();
  run.seconds = (performance.now() - started) / 1000;
  options.progress?.end();
  return { file, ledgerSeqBefore, alreadyImported: false, run };
}
