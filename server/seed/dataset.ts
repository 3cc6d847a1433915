import type { ChatRow } from '../../db/repositories/chatRepository.ts';
import type { NewGeneration } from '../../db/repositories/generationRepository.ts';
import { ledgerKinds, type LedgerKind, type NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import { seedTables, type NewAsset, type SeedTables } from '../../db/repositories/seedRepository.ts';
import type { BulkWriter } from '../../db/bulk/types.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import type { Clock } from '../clock.ts';
import { CustomerTimeline } from './customerTimeline.ts';
import { isoAt, startOfUtcDay } from './isoTime.ts';
import { generatedCustomers } from './population.ts';
import type { SeedEvent } from './seedEvents.ts';
import { storyCustomers } from './stories.ts';
import { TimelineMerge } from './timelineMerge.ts';

export const scales = ['small', 'medium', 'large'] as const;
export type Scale = (typeof scales)[number];

/**
 * Per scale: generated customers (the three story customers come on top), the
 * page cache of the loading connection, and ledger rows per transaction.
 * A customer averages about 90 ledger entries over the span, so these give
 * about 5 thousand, 200 thousand and 10.6 million entries. Large loads
 * commit rarely: each commit writes every page touched since the last one,
 * and the indexes keyed by customer or chat take rows all over their range,
 * so frequent commits would write those indexes again and again.
 */
const scaleSpecs: Record<Scale, { customers: number; cacheKib: number; ledgerRowsPerTransaction: number }> = {
  small: { customers: 45, cacheKib: 0, ledgerRowsPerTransaction: 250_000 },
  medium: { customers: 2_200, cacheKib: 512 * 1024, ledgerRowsPerTransaction: 250_000 },
  large: { customers: 118_000, cacheKib: 6 * 1024 * 1024, ledgerRowsPerTransaction: 1_000_000 },
};

/** The page cache (KiB) a load of `scale` wants on SQLite's loading connection (0: keep the connection's). */
export const loadCacheKib = (scale: Scale): number => scaleSpecs[scale].cacheKib;

/** Where a dataset goes: the bulk writer for its rows, and the storage for its closing audit event. */
export interface DatasetTarget {
  bulk: BulkWriter;
  storage: Storage;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}

/** Rows collected before they are written, parents first; progress is reported after each window. */
const ROWS_PER_WINDOW = 8192;

export interface LoadOptions {
  scale: Scale;
  seed: number;
  /** The end of the data's time span; 00:00 UTC today by default, so reloading on one day gives the same data. */
  anchor?: Date;
  onProgress?: (progress: { ledgerRows: number; elapsedMs: number }) => void;
}

export interface DatasetCounts {
  scale: Scale;
  seed: number;
  anchor: string;
  customers: number;
  chats: number;
  generations: number;
  assets: number;
  ledgerEntries: number;
  byKind: Record<LedgerKind, number>;
  /** Charged failures left without an auto-refund on purpose (refund_missing once the grace period is over). */
  refundMissing: number;
}

export interface DatasetSummary extends DatasetCounts {
  elapsedMs: number;
  ledgerRowsPerSecond: number;
}

export class DatasetNotEmpty extends Error {
  constructor() {
    super('The database already holds customers; the seed fills only an empty one. Delete the database file (or point DATABASE_PATH at a new one) and run it again.');
    this.name = 'DatasetNotEmpty';
  }
}

/**
 * Collects a window of rows and writes them table by table, parents first
 * (chats, runs, ledger entries, assets): every row's parent is then in the
 * database before it, and each table still receives its rows in time order.
 */
class WindowWriter {
  private chats: ChatRow[] = [];
  private generations: NewGeneration[] = [];
  private ledgerEntries: NewLedgerEntry[] = [];
  private assets: NewAsset[] = [];
  size = 0;

  constructor(
    private readonly repo: SeedTables,
    private readonly counts: DatasetCounts,
  ) {}

  add(event: SeedEvent): void {
    this.size++;
    switch (event.type) {
      case 'chat':
        this.chats.push(event.row);
        return;
      case 'generation':
        this.generations.push(event.row);
        return;
      case 'asset':
        this.assets.push(event.row);
        return;
      case 'ledger':
        this.ledgerEntries.push(event.row);
        this.counts.byKind[event.row.kind]++;
    }
  }

  async flush(): Promise<void> {
    const { repo, counts } = this;
    await repo.insertChats(this.chats);
    await repo.insertGenerations(this.generations);
    await repo.insertLedgerEntries(this.ledgerEntries);
    await repo.insertAssets(this.assets);
    counts.chats += this.chats.length;
    counts.generations += this.generations.length;
    counts.ledgerEntries += this.ledgerEntries.length;
    counts.assets += this.assets.length;
    this.chats = [];
    this.generations = [];
    this.ledgerEntries = [];
    this.assets = [];
    this.size = 0;
  }
}

/**
 * Fills an empty database with a deterministic synthetic dataset: the same
 * (scale, seed, anchor) gives the same rows, ids and times. Rows go in
 * through the normal schema, every trigger, constraint and index in place,
 * in the time order the studio would have reported them. Ends with one
 * `seed.loaded` audit event.
 */
export async function loadDataset(target: DatasetTarget, options: LoadOptions): Promise<DatasetSummary> {
  const started = performance.now();
  const { bulk } = target;
  const repo = seedTables(bulk);
  if (await bulk.hasRows('customers')) throw new DatasetNotEmpty();
  const spec = scaleSpecs[options.scale];
  const anchor = options.anchor ? options.anchor.getTime() : startOfUtcDay(target.clock());

  const storyLines = storyCustomers(options.seed, anchor, spec.customers + 1);
  const scripts = new Map(storyLines.map(({ profile, script }) => [profile.id, script]));
  const profiles = [...generatedCustomers(spec.customers, options.seed, anchor), ...storyLines.map(({ profile }) => profile)].sort(
    (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
  );
  const timelines = profiles.map((profile) => new CustomerTimeline(profile, options.seed, anchor, scripts.get(profile.id)));

  const counts: DatasetCounts = {
    scale: options.scale,
    seed: options.seed,
    anchor: isoAt(anchor),
    customers: profiles.length,
    chats: 0,
    generations: 0,
    assets: 0,
    ledgerEntries: 0,
    byKind: Object.fromEntries(ledgerKinds.map((kind) => [kind, 0])) as Record<LedgerKind, number>,
    refundMissing: 0,
  };
  await bulk.transaction(() =>
    repo.insertCustomers(
      profiles.map((profile) => {
        const createdAt = isoAt(profile.createdAt);
        return { id: profile.id, name: profile.name, email: profile.email, plan: profile.plan, time_zone: profile.timeZone, created_at: createdAt, source_at: createdAt };
      }),
    ),
  );

  const merge = new TimelineMerge(timelines);
  const writer = new WindowWriter(repo, counts);
  let event = merge.next();
  while (event !== undefined) {
    await bulk.transaction(async () => {
      const commitAt = counts.ledgerEntries + spec.ledgerRowsPerTransaction;
      while (event !== undefined && counts.ledgerEntries < commitAt) {
        writer.add(event);
        event = merge.next();
        if (writer.size === ROWS_PER_WINDOW || event === undefined) {
          await writer.flush();
          options.onProgress?.({ ledgerRows: counts.ledgerEntries, elapsedMs: performance.now() - started });
        }
      }
    });
  }
  counts.refundMissing = timelines.reduce((sum, timeline) => sum + timeline.refundsLeftMissing, 0);
  await target.storage.transaction((tx) =>
    target.audit.append(tx, { actor: { type: 'system' }, action: 'seed.loaded', entityType: 'dataset', entityId: `${options.scale}:${options.seed}`, after: counts }),
  );
  const elapsedMs = performance.now() - started;
  return { ...counts, elapsedMs, ledgerRowsPerSecond: Math.round(counts.ledgerEntries / (elapsedMs / 1000)) };
}
