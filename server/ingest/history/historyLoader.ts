import type { ImportCheckpointRow } from '../../../db/repositories/historyImportRepository.ts';
import type { FileIdentity } from './eventFile.ts';
import type { WindowCounts, WindowItem } from './historyWindow.ts';

/** What one committed chunk did. */
export interface ChunkResult extends WindowCounts {
  ledgerRows: number;
}

/** Where a committed chunk moved the checkpoint: chunks, byte offset, line and time as written, counts added. */
export interface CheckpointAdvance {
  chunks: number;
  byte_offset: number;
  line: number;
  updated_at: string;
}

/** The checkpoint after a chunk (`advance`, `counts`) committed, as both loaders keep it in memory. */
export function advancedCheckpoint(checkpoint: ImportCheckpointRow, advance: CheckpointAdvance, counts: ChunkResult): ImportCheckpointRow {
  return {
    ...checkpoint, chunks: advance.chunks + 1, byte_offset: advance.byte_offset, line: advance.line,
    events: checkpoint.events + counts.events, applied: checkpoint.applied + counts.applied,
    duplicates: checkpoint.duplicates + counts.duplicates, rejected: checkpoint.rejected + counts.rejected,
    ledger_rows: checkpoint.ledger_rows + counts.ledgerRows, updated_at: advance.updated_at,
  };
}

/** The part of a chunk's counts the importer adds up. */
export const chunkResultOf = (counts: ChunkResult): ChunkResult => ({
  events: counts.events, applied: counts.applied, duplicates: counts.duplicates, rejected: counts.rejected, ledgerRows: counts.ledgerRows,
});

/** The database refused a chunk (a constraint or trigger): nothing of it was written. */
export class ChunkRefused extends Error {}

/** Another process moved this file's checkpoint: two imports of one file must not run at once. */
export class ConcurrentImport extends Error {}

/**
 * The engine's side of the history import (historyImport.ts drives it). Each
 * call that writes is one transaction that also moves the file's checkpoint,
 * so a run stopped anywhere resumes at the last chunk committed. SQLite's is
 * sqliteHistoryLoader.ts; PostgreSQL's is postgresHistoryLoader.ts (set-based
 * reads, COPY of the new rows, on a connection of its own).
 */
export interface HistoryLoader {
  /** The file's checkpoint, made on its first run. */
  begin(file: FileIdentity): Promise<ImportCheckpointRow>;
  /** Waiting events whose parent is stored now, at most `limit`, in line order. */
  waitedEvents(limit: number): Promise<WindowItem[]>;
  /**
   * Applies a chunk, all or nothing, and moves the checkpoint past its last
   * line. Throws ChunkRefused when the database refuses it.
   */
  loadChunk(items: readonly WindowItem[]): Promise<ChunkResult>;
  /** Records one line as rejected for `reason` and moves the checkpoint past it. */
  rejectAlone(item: WindowItem, reason: string): Promise<ChunkResult>;
  /** Events still waiting for a parent no line stored.*/
  waitingCount(): Promise<number>;
  /** Rejects every event still waiting (its parent is nowhere) and marks the file imported. Returns how many. */
  finish(): Promise<number>;
}
