import type { Db } from '../../../db/connection.ts';
import { createHistoryImportRepository, type ImportCheckpointRow } from '../../../db/repositories/historyImportRepository.ts';
import { createIngestRepository } from '../../../db/repositories/ingestRepository.ts';
import type { IngestEventType } from '../../../shared/ingestEvents.ts';
import type { AuditLog } from '../../audit/auditLog.ts';
import { isoNow, type Clock } from '../../clock.ts';
import { parentInWords } from '../ingestRules.ts';
import type { IngestService } from '../ingestService.ts';
import type { FileIdentity } from './eventFile.ts';
import { advancedCheckpoint, chunkResultOf, ChunkRefused, ConcurrentImport, type ChunkResult, type HistoryLoader } from './historyLoader.ts';
import { foldWindow, type StoredRecords, type WindowCounts, type WindowItem, type WindowPlan } from './historyWindow.ts';

/** Waiting events turned into rejections per statement at the end of a file. */
const LEFTOVER_PAGE = 5000;

/** A refusal by a constraint or trigger (the invariants): the chunk is bisected. Anything else stops the import. */
const isConstraintError = (error: unknown): error is Error => {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
};

const noCounts = (): ChunkResult => ({ events: 0, applied: 0, duplicates: 0, rejected: 0, ledgerRows: 0 });

export interface SqliteHistoryDeps {
  /** The live ingestion path, for the few events it must apply itself (WindowPlan.throughLivePath). */
  ingest: Pick<IngestService, 'ingest'>;
  audit: AuditLog;
  clock: Clock;
}

/**
 * The history import on SQLite. It works on better-sqlite3 directly, not
 * through the async storage seam (db/storage/): a chunk is tens of thousands
 * of point reads and row inserts, and an awaited promise for each would cost
 * more than the insert itself. Behind the HistoryLoader interface each chunk
 * is one synchronous `BEGIN IMMEDIATE` transaction on the connection that
 * writes (the storage's own writer, which the command owns): the window is
 * checked and folded (historyWindow.ts), its new records written table by
 * table in multi-row inserts, parents first, with every trigger and index in
 * place, and the checkpoint moved in the same transaction.
 */
export function createSqliteHistoryLoader(db: Db, deps: SqliteHistoryDeps): HistoryLoader {
  const repo = createHistoryImportRepository(db);
  const records = createIngestRepository(db);
  let file: FileIdentity | undefined;
  let checkpoint: ImportCheckpointRow | undefined;

  const current = (): { file: FileIdentity; checkpoint: ImportCheckpointRow } => {
    if (!file || !checkpoint) throw new Error('begin() first');
    return { file, checkpoint };
  };

  const storedRecords = (anyHeld: boolean): StoredRecords => ({
    prefetch: (ids) => repo.prefetch(ids, anyHeld),
    customerBalance: repo.customerBalance,
    chatOwner: repo.chatOwner,
    run: repo.run,
    transaction: repo.transaction,
    isReversed: repo.isReversed,
  });

  function write(plan: WindowPlan, fileKey: string): void {
    repo.insertCustomers(plan.newCustomers);
    for (const row of plan.storedCustomers) records.upsertCustomer(row);
    repo.insertChats(plan.newChats);
    for (const row of plan.storedChats) records.upsertChat(row);
    repo.insertGenerations(plan.newRuns);
    for (const row of plan.storedRunStarts) records.startGeneration(row);
    for (const row of plan.storedRunFinishes) records.finishGeneration(row);
    repo.insertLedgerEntries(plan.ledger);
    repo.insertAssets(plan.assets);
    repo.insertProcessedEvents(plan.processed);
    repo.deleteWaiting(fileKey, plan.waitedLines);
    const waitedBefore = repo.anyWaiting(fileKey);
    repo.insertWaiting(
      plan.waiting.map(({ line, waitsFor, event }) => ({
        file_key: fileKey, line, event_id: event.id, type: event.type, occurred_at: event.occurredAt, waits_for: waitsFor, payload: JSON.stringify(event.data),
      })),
    );
    // Set-based: every event an earlier chunk parked for a record this one stored.
    if (waitedBefore) repo.markReady(fileKey, plan.storedKeys);
    repo.insertRejections(plan.rejections.map((r) => ({ file_key: fileKey, ...r })));
  }

  /** Applies the live path's events after the window's rows, in order; returns what they did. */
  function applyThroughLivePath(plan: WindowPlan, fileKey: string, origin: string): Omit<ChunkResult, 'events'> {
    const result = { ...noCounts() };
    if (plan.throughLivePath.length === 0) return result;
    const seqBefore = repo.lastLedgerSeq();
    for (const { line, event } of plan.throughLivePath) {
      const outcome = deps.ingest.ingest([{ id: event.id, type: event.type, occurred_at: event.occurredAt, data: event.data }], {
        requestId: origin, clientIp: null,
      });
      result.applied += outcome.accepted;
      result.duplicates += outcome.duplicates;
      for (const rejection of outcome.rejected) {
        repo.insertRejections([{ file_key: fileKey, line, event_id: event.id, reason: rejection.error }]);
        result.rejected++;
      }
    }
    result.ledgerRows = repo.lastLedgerSeq() - seqBefore;
    return result;
  }

  /**
   * One transaction: `work`, then the checkpoint moved past the last line of
   * `items` (compare-and-set on the chunk count) and the chunk's audit event.
   */
  function commit(items: readonly WindowItem[], work: (now: string, origin: string) => ChunkResult & { waiting?: number }): ChunkResult {
    const state = current();
    let last: { line: number; end: number } | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    for (const item of items) {
      if ('end' in item) last = { line: item.line, end: item.end };
      lowest = Math.min(lowest, item.line);
      highest = Math.max(highest, item.line);
    }
    const lines = items.length === 0 ? '' : `${lowest}-${highest}`;
    const origin = `history:${state.file.path}#${lines}`;
    try {
      const result = db
        .transaction(() => {
          const now = isoNow(deps.clock);
          const counts = work(now, origin);
          const advance = {
            file_key: state.file.key, chunks: state.checkpoint.chunks, byte_offset: last?.end ?? state.checkpoint.byte_offset,
            line: last?.line ?? state.checkpoint.line, events: counts.events, applied: counts.applied, duplicates: counts.duplicates,
            rejected: counts.rejected, ledger_rows: counts.ledgerRows, updated_at: now,
          };
          if (!repo.advanceCheckpoint(advance)) throw new ConcurrentImport(`another import of ${state.file.path} moved its checkpoint: run one at a time`);
          deps.audit.record({
            actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: origin,
            after: {
              history: true, lines, events: counts.events, accepted: counts.applied, duplicates: counts.duplicates, rejected: counts.rejected,
              ledger_entries: counts.ledgerRows, waiting: counts.waiting ?? 0,
            },
          });
          return { counts, advance };
        })
        .immediate();
      const { counts, advance } = result;
      checkpoint = advancedCheckpoint(state.checkpoint, advance, counts);
      return chunkResultOf(counts);
    } catch (error) {
      if (isConstraintError(error)) throw new ChunkRefused(error.message);
      throw error;
    }
  }

  return {
    async begin(identity: FileIdentity): Promise<ImportCheckpointRow> {
      file = identity;
      checkpoint = db
        .transaction(() => {
          const found = repo.checkpoint(identity.key);
          if (found) return found;
          repo.createCheckpoint({
            file_key: identity.key, path: identity.path, size: identity.size, ledger_seq_before: repo.lastLedgerSeq(), started_at: isoNow(deps.clock),
          });
          return repo.checkpoint(identity.key) as ImportCheckpointRow;
        })
        .immediate();
      return checkpoint;
    },

    async waitedEvents(limit: number): Promise<WindowItem[]> {
      return repo.readyWaiting(current().file.key, limit).map((row) => ({
        line: row.line, waited: true as const,
        event: { id: row.event_id, type: row.type as IngestEventType, occurredAt: row.occurred_at, data: JSON.parse(row.payload) },
      }));
    },

    async loadChunk(items: readonly WindowItem[]): Promise<ChunkResult> {
      const { file: identity } = current();
      return commit(items, (now, origin) => {
        const plan = foldWindow(items, storedRecords(repo.anyHeld()), now);
        write(plan, identity.key);
        const live = applyThroughLivePath(plan, identity.key, origin);
        const counts: WindowCounts = plan.counts;
        return {
          events: counts.events, applied: counts.applied + live.applied, duplicates: counts.duplicates + live.duplicates,
          rejected: counts.rejected + live.rejected, ledgerRows: plan.ledger.length + live.ledgerRows, waiting: plan.waiting.length,
        };
      });
    },

    async rejectAlone(item: WindowItem, reason: string): Promise<ChunkResult> {
      const { file: identity } = current();
      return commit([item], () => {
        repo.insertRejections([{ file_key: identity.key, line: item.line, event_id: 'event' in item ? item.event.id : item.id, reason }]);
        if ('waited' in item) repo.deleteWaiting(identity.key, [item.line]);
        return { ...noCounts(), events: 'waited' in item ? 0 : 1, rejected: 1 };
      });
    },

    async waitingCount(): Promise<number> {
      return repo.waitingCount(current().file.key);
    },

    async finish(): Promise<number> {
      const state = current();
      const fileKey = state.file.key;
      const rejected = db
        .transaction(() => {
          let count = 0;
          let after = 0;
          for (;;) {
            const page = repo.waitingPage(fileKey, after, LEFTOVER_PAGE);
            if (page.length === 0) break;
            repo.insertRejections(
              page.map((row) => ({
                file_key: fileKey, line: row.line, event_id: row.event_id,
                reason: `${parentInWords(row.waits_for)} is not in the database and no line of the file stores it`,
              })),
            );
            count += page.length;
            after = page[page.length - 1].line;
          }
          repo.deleteAllWaiting(fileKey);
          const now = isoNow(deps.clock);
          if (!repo.finishCheckpoint(fileKey, state.checkpoint.chunks, now, count)) {
            throw new ConcurrentImport(`another import of ${state.file.path} moved its checkpoint: run one at a time`);
          }
          deps.audit.record({
            actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: `history:${state.file.path}#end`,
            after: { history: true, finished: true, rejected_waiting: count },
          });
          return count;
        })
        .immediate();
      checkpoint = repo.checkpoint(fileKey);
      return rejected;
    },
  };
}
