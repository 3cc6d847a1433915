import type pg from 'pg';
import {
  inClientSnapshot,
  inClientTransaction,
  postgresHistoryImport as repo,
  type ImportCheckpointRow,
  type LoadedTableRows,
} from '../../../db/repositories/historyImportRepository.ts';
import { snapshotOf as readsOn } from '../../../db/storage/postgresStorage.ts';
import type { Storage, Transaction } from '../../../db/storage/types.ts';
import type { IngestEventType } from '../../../shared/ingestEvents.ts';
import { createAuditAppender, createAuditLog } from '../../audit/auditLog.ts';
import { isoNow, type Clock } from '../../clock.ts';
import { createCreditReversals } from '../../credits/creditReversals.ts';
import { createDeliveryService } from '../../delivery/deliveryService.ts';
import { createLedger } from '../../ledger/ledger.ts';
import { verifyLedgerAfter, type LedgerCheck } from '../../ledger/ledgerCheck.ts';
import { parentInWords } from '../ingestRules.ts';
import { createIngestService, type IngestService } from '../ingestService.ts';
import type { FileIdentity } from './eventFile.ts';
import { advancedCheckpoint, chunkResultOf, ChunkRefused, ConcurrentImport, type ChunkResult, type HistoryLoader } from './historyLoader.ts';
import { foldAgainstStored } from '../storedFold.ts';
import type { WindowItem, WindowPlan } from './historyWindow.ts';

/** Waiting events turned into rejections per statement at the end of a file. */
const LEFTOVER_PAGE = 5000;
/** Entries written before ledger_entries is analyzed inside a chunk that fills it: enough that lookups by key are planned on its indexes. */
const FIRST_ENTRIES = 1000;

/** A refusal by a constraint or trigger (SQLSTATE class 23, docs/postgres.md): the chunk is bisected. Anything else stops the import. */
const isConstraintError = (error: unknown): error is Error => {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('23');
};

const noCounts = (): ChunkResult => ({ events: 0, applied: 0, duplicates: 0, rejected: 0, ledgerRows: 0 });

/** The live ingestion path, built over a storage whose transactions are savepoints of the chunk's. */
export type LiveIngestFactory = (storage: Storage) => Pick<IngestService, 'ingestBatch'>;

export interface PostgresHistoryDeps {
  /** Builds the live path for the few events it must apply itself (WindowPlan.throughLivePath). */
  liveIngest: LiveIngestFactory;
  clock: Clock;
}

export type PostgresHistoryLoader = HistoryLoader & {
  /**
   * The closing ledger checks (npm run ledger:verify's) over the entries after `afterSeq`, in one
   * snapshot on the loader's connection, which has no statement timeout: on a large import they
   * read longer than the pool lets a request's statement run.
   */
  checkLedgerAfter(afterSeq: number): Promise<LedgerCheck>;
  /** Gives the loader's connection back; the pool stays open. */
  close(): Promise<void>;
};

/**
 * The history import on PostgreSQL, behind the same HistoryLoader interface
 * as SQLite's. It holds one connection of the pool for the whole file and
 * runs each chunk as one transaction on it: the records the chunk names read
 * in one statement per table (array parameters, the customers locked in id
 * order), the window checked and folded by the same pure logic as on SQLite
 * (historyWindow.ts), new rows written by COPY on that connection, table by
 * table, parents first, stored records updated one statement per table, the
 * echoes and late refunds applied by the live ingestion path in savepoints of
 * the same transaction, and the checkpoint moved with the chunk's audit event.
 * Every trigger and index is in place: the ledger guard checks and applies
 * each entry as COPY hands it over (migration 008).
 */
export function createPostgresHistoryLoader(pool: pg.Pool, deps: PostgresHistoryDeps): PostgresHistoryLoader {
  const audit = createAuditAppender(deps.clock);
  let client: pg.PoolClient | undefined;
  let file: FileIdentity | undefined;
  let checkpoint: ImportCheckpointRow | undefined;
  /**
   * Rows the import wrote to the watched tables since their statistics were last brought up to
   * date, and how many they held then: a table the import has doubled is analyzed again (after
   * chunks 1, 2, 4, 8… into an empty database; seldom into a large one).
   */
  const growth: { since: LoadedTableRows; base: LoadedTableRows } = {
    since: { customers: 0, generations: 0, ledger_entries: 0 },
    base: { customers: 0, generations: 0, ledger_entries: 0 },
  };
  /** The chunk's transaction while one is open: what the live path's storage works in. */
  let openTx: Transaction | undefined;
  const live = deps.liveIngest(chunkStorage(() => {
    if (!openTx) throw new Error('the live path runs only inside a chunk');
    return openTx;
  }));

  const current = (): { file: FileIdentity; checkpoint: ImportCheckpointRow; client: pg.PoolClient } => {
    if (!file || !checkpoint || !client) throw new Error('begin() first');
    return { file, checkpoint, client };
  };

  /** One transaction on the loader's connection, with the live path's storage pointed at it. */
  async function transaction<T>(work: (tx: Transaction, on: pg.PoolClient) => Promise<T>): Promise<T> {
    const on = client;
    if (!on) throw new Error('begin() first');
    return inClientTransaction(on, async (tx) => {
      openTx = tx;
      try {
        return await work(tx, on);
      } finally {
        openTx = undefined;
      }
    });
  }

  /** Counts a committed chunk's new rows; analyzes each watched table the import has doubled since its last analyze (see `growth`). */
  async function analyzeWhenGrown(written: LoadedTableRows): Promise<void> {
    const tables = Object.keys(written) as (keyof LoadedTableRows)[];
    for (const table of tables) growth.since[table] += written[table];
    const grown = tables.filter((table) => growth.since[table] > growth.base[table]);
    await repo.analyzeTables(readsOn(current().client), grown);
    for (const table of grown) {
      growth.base[table] += growth.since[table];
      growth.since[table] = 0;
    }
  }

  /** How many rows `table` holds as its statistics and this import's committed chunks have it. */
  const knownRows = (table: keyof LoadedTableRows): number => growth.base[table] + growth.since[table];

  /**
   * The chunk's ledger entries, so that no entry's checks are planned for a table far smaller than
   * it is: the runs and customers the chunk filled are analyzed first, and when the entries would
   * more than double ledger_entries, the first of them go in, the table is analyzed, and the rest
   * follow (the ledger guard's and foreign keys' cached lookups would otherwise scan it).
   */
  async function copyLedger(tx: Transaction, on: pg.PoolClient, folded: WindowPlan): Promise<void> {
    const filled: (keyof LoadedTableRows)[] = [];
    if (folded.newCustomers.length > knownRows('customers')) filled.push('customers');
    if (folded.newRuns.length > knownRows('generations')) filled.push('generations');
    if (folded.ledger.length > 0) await repo.analyzeTables(tx, filled);
    const head = folded.ledger.length > knownRows('ledger_entries') ? Math.max(FIRST_ENTRIES, knownRows('ledger_entries')) : folded.ledger.length;
    await repo.copyLedgerEntries(on, folded.ledger.slice(0, head));
    if (head >= folded.ledger.length) return;
    await repo.analyzeTables(tx, ['ledger_entries']);
    await repo.copyLedgerEntries(on, folded.ledger.slice(head));
  }

  async function write(tx: Transaction, on: pg.PoolClient, folded: WindowPlan, fileKey: string): Promise<void> {
    await repo.copyCustomers(on, folded.newCustomers);
    await repo.upsertCustomers(tx, folded.storedCustomers);
    await repo.copyChats(on, folded.newChats);
    await repo.upsertChats(tx, folded.storedChats);
    await repo.copyGenerations(on, folded.newRuns);
    await repo.startRuns(tx, folded.storedRunStarts);
    await repo.finishRuns(tx, folded.storedRunFinishes);
    await copyLedger(tx, on, folded);
    await repo.insertAssets(tx, folded.assets);
    await repo.copyProcessedEvents(on, folded.processed);
    await repo.deleteWaiting(tx, fileKey, folded.waitedLines);
    const waitedBefore = await repo.anyWaiting(tx, fileKey);
    await repo.copyWaiting(
      on,
      folded.waiting.map(({ line, waitsFor, event }) => ({
        file_key: fileKey, line, event_id: event.id, type: event.type, occurred_at: event.occurredAt, waits_for: waitsFor, payload: JSON.stringify(event.data),
      })),
    );
    // Set-based: every event an earlier chunk parked for a record this one stored.
    if (waitedBefore) await repo.markReady(tx, fileKey, folded.storedKeys);
    await repo.copyRejections(on, folded.rejections.map((r) => ({ file_key: fileKey, ...r })));
  }

  /** Applies the live path's events after the window's rows, in order, each as a batch of its own (as on SQLite); returns what they did. */
  async function applyThroughLivePath(tx: Transaction, on: pg.PoolClient, folded: WindowPlan, fileKey: string, origin: string): Promise<Omit<ChunkResult, 'events'>> {
    const result = { ...noCounts() };
    if (folded.throughLivePath.length === 0) return result;
    const seqBefore = await repo.lastLedgerSeq(tx);
    for (const { line, event } of folded.throughLivePath) {
      const outcome = await live.ingestBatch([{ id: event.id, type: event.type, occurred_at: event.occurredAt, data: event.data }], {
        requestId: origin, clientIp: null,
      });
      result.applied += outcome.accepted;
      result.duplicates += outcome.duplicates;
      await repo.copyRejections(on, outcome.rejected.map((rejection) => ({ file_key: fileKey, line, event_id: event.id, reason: rejection.error })));
      result.rejected += outcome.rejected.length;
    }
    result.ledgerRows = (await repo.lastLedgerSeq(tx)) - seqBefore;
    return result;
  }

  /**
   * One transaction: `work`, then the checkpoint moved past the last line of
   * `items` (compare-and-set on the chunk count) and the chunk's audit event.
   */
  async function commit(
    items: readonly WindowItem[],
    work: (tx: Transaction, on: pg.PoolClient, now: string, origin: string) => Promise<ChunkResult & { waiting?: number }>,
  ): Promise<ChunkResult> {
    const state = current();
    const { lines, last } = span(items);
    const origin = `history:${state.file.path}#${lines}`;
    try {
      const { counts, advance } = await transaction(async (tx, on) => {
        const held = await repo.lockCheckpoint(tx, state.file.key);
        if (!held || held.finished || held.chunks !== state.checkpoint.chunks) throw concurrent(state.file);
        const now = isoNow(deps.clock);
        const done = await work(tx, on, now, origin);
        const moved = {
          file_key: state.file.key, chunks: state.checkpoint.chunks, byte_offset: last?.end ?? state.checkpoint.byte_offset,
          line: last?.line ?? state.checkpoint.line, events: done.events, applied: done.applied, duplicates: done.duplicates,
          rejected: done.rejected, ledger_rows: done.ledgerRows, updated_at: now,
        };
        if (!(await repo.advanceCheckpoint(tx, moved))) throw concurrent(state.file);
        await audit.append(tx, {
          actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: origin,
          after: {
            history: true, lines, events: done.events, accepted: done.applied, duplicates: done.duplicates, rejected: done.rejected,
            ledger_entries: done.ledgerRows, waiting: done.waiting ?? 0,
          },
        });
        return { counts: done, advance: moved };
      });
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
      if (!client) {
        client = await pool.connect();
        // A chunk of many lines may take longer than the pool's statement timeout, meant for requests.
        await repo.unlimitedStatements(client);
        growth.base = await repo.analyzedRows(readsOn(client));
      }
      checkpoint = await transaction(async (tx) => {
        const found = await repo.checkpoint(tx, identity.key);
        if (found) return found;
        await repo.createCheckpoint(tx, {
          file_key: identity.key, path: identity.path, size: identity.size, ledger_seq_before: await repo.lastLedgerSeq(tx), started_at: isoNow(deps.clock),
        });
        return (await repo.checkpoint(tx, identity.key)) as ImportCheckpointRow;
      });
      return checkpoint;
    },

    async waitedEvents(limit: number): Promise<WindowItem[]> {
      const rows = await repo.readyWaiting(readsOn(current().client), current().file.key, limit);
      return rows.map((row) => ({
        line: row.line, waited: true as const,
        event: { id: row.event_id, type: row.type as IngestEventType, occurredAt: row.occurred_at, data: JSON.parse(row.payload) as Record<string, unknown> },
      }));
    },

    async loadChunk(items: readonly WindowItem[]): Promise<ChunkResult> {
      const fileKey = current().file.key;
      const written: LoadedTableRows = { customers: 0, generations: 0, ledger_entries: 0 };
      const result = await commit(items, async (tx, on, now, origin) => {
        const { plan: folded } = await foldAgainstStored(tx, items, now, await repo.anyHeld(tx), 'import');
        Object.assign(written, { customers: folded.newCustomers.length, generations: folded.newRuns.length, ledger_entries: folded.ledger.length });
        await write(tx, on, folded, fileKey);
        const viaLive = await applyThroughLivePath(tx, on, folded, fileKey, origin);
        const counts = folded.counts;
        return {
          events: counts.events, applied: counts.applied + viaLive.applied, duplicates: counts.duplicates + viaLive.duplicates,
          rejected: counts.rejected + viaLive.rejected, ledgerRows: folded.ledger.length + viaLive.ledgerRows, waiting: folded.waiting.length,
        };
      });
      await analyzeWhenGrown(written);
      return result;
    },

    async rejectAlone(item: WindowItem, reason: string): Promise<ChunkResult> {
      const fileKey = current().file.key;
      return commit([item], async (tx, on) => {
        await repo.copyRejections(on, [{ file_key: fileKey, line: item.line, event_id: 'event' in item ? item.event.id : item.id, reason }]);
        if ('waited' in item) await repo.deleteWaiting(tx, fileKey, [item.line]);
        return { ...noCounts(), events: 'waited' in item ? 0 : 1, rejected: 1 };
      });
    },

    async waitingCount(): Promise<number> {
      return repo.waitingCount(readsOn(current().client), current().file.key);
    },

    async finish(): Promise<number> {
      const state = current();
      const fileKey = state.file.key;
      const rejected = await transaction(async (tx, on) => {
        let count = 0;
        let after = 0;
        for (;;) {
          const page = await repo.waitingPage(tx, fileKey, after, LEFTOVER_PAGE);
          if (page.length === 0) break;
          await repo.copyRejections(
            on,
            page.map((row) => ({
              file_key: fileKey, line: row.line, event_id: row.event_id,
              reason: `${parentInWords(row.waits_for)} is not in the database and no line of the file stores it`,
            })),
          );
          count += page.length;
          after = page[page.length - 1].line;
        }
        await repo.deleteAllWaiting(tx, fileKey);
        const now = isoNow(deps.clock);
        if (!(await repo.finishCheckpoint(tx, fileKey, state.checkpoint.chunks, now, count))) throw concurrent(state.file);
        await audit.append(tx, {
          actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: `history:${state.file.path}#end`,
          after: { history: true, finished: true, rejected_waiting: count },
        });
        return count;
      });
      checkpoint = await repo.checkpoint(readsOn(state.client), fileKey);
      await repo.analyzeLoaded(state.client);
      return rejected;
    },

    async checkLedgerAfter(afterSeq: number): Promise<LedgerCheck> {
      return inClientSnapshot(current().client, (snapshot) => verifyLedgerAfter(snapshot, afterSeq));
    },

    async close(): Promise<void> {
      // Destroyed rather than pooled: its session settings are the import's, not a request's.
      client?.release(true);
      client = undefined;
    },
  };
}

const concurrent = (file: FileIdentity): ConcurrentImport =>
  new ConcurrentImport(`another import of ${file.path} moved its checkpoint: run one at a time`);

/** The lines a chunk covers (`12-40`) and the last line read from the file, which the checkpoint moves past. */
function span(items: readonly WindowItem[]): { lines: string; last: { line: number; end: number } | undefined } {
  let last: { line: number; end: number } | undefined;
  let lowest = Number.POSITIVE_INFINITY;
  let highest = 0;
  for (const item of items) {
    if ('end' in item) last = { line: item.line, end: item.end };
    lowest = Math.min(lowest, item.line);
    highest = Math.max(highest, item.line);
  }
  return { lines: items.length === 0 ? '' : `${lowest}-${highest}`, last };
}

/**
 * A Storage whose transactions are savepoints of the chunk's open transaction: the live ingestion
 * path (ingestBatch, one storage transaction per batch) then writes inside the chunk, all or
 * nothing with it, as the SQLite loader's synchronous ingestion does inside its BEGIN IMMEDIATE.
 */
function chunkStorage(open: () => Transaction): Storage {
  return {
    engine: 'postgres',
    all: (statement, params) => open().all(statement, params),
    get: (statement, params) => open().get(statement, params),
    run: (statement, params) => open().run(statement, params),
    transaction: (work) => open().savepoint(work),
    snapshot: () => Promise.reject(new Error('the history import takes no snapshot inside a chunk')),
    close: async () => {},
  };
}

/**
 * The live ingestion path on PostgreSQL for the history import: the ledger, credit reversals,
 * delivery and ingestion services on the chunk's storage, without SQLite's synchronous twins.
 */
export function postgresLiveIngest(clock: Clock): { factory: LiveIngestFactory; close(): void } {
  const auditLog = createAuditLog(null, clock);
  const ledger = createLedger(null, clock);
  const reversals = createCreditReversals(null, ledger, auditLog, clock);
  return {
    factory: (storage) => {
      const delivery = createDeliveryService(storage, null, { webhook: null, feedToken: null }, auditLog, clock, () => {
        throw new Error('the history import reads no credit record');
      }, () => undefined);
      return createIngestService(storage, null, ledger, reversals, delivery, auditLog, clock);
    },
    close: () => {},
  };
}
