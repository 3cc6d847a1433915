import type { ImportCheckpointRow, RejectionRow } from './historyImportRepository.ts';
import type { Queryable, Snapshot } from '../storage/types.ts';

/**
 * What the history import reports at its end, read through the storage seam
 * (db/storage/): the same on both engines, unlike the loading itself.
 */
export const readImportCheckpoint = (q: Queryable, fileKey: string): Promise<ImportCheckpointRow | undefined> =>
  q.get<ImportCheckpointRow>('SELECT * FROM import_checkpoints WHERE file_key = ?', [fileKey]);

/** Every line the import of a file rejected, in line order, a batch at a time (a bad file may have millions). */
export const streamImportRejections = (snapshot: Snapshot, fileKey: string): AsyncIterable<Omit<RejectionRow, 'file_key'>> =>
  snapshot.stream<Omit<RejectionRow, 'file_key'>>('SELECT line, event_id, reason FROM import_rejections WHERE file_key = ? ORDER BY line', [fileKey]);
