import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';
import type { AssetListRow } from './assetQueries.ts';

export interface HeldEventRow {
  event_id: string;
  waits_for: string;
  type: string;
  occurred_at: string;
  payload: string;
  received_at: string;
}

export interface CustomerUpsert {
  id: string;
  name: string;
  email: string;
  plan: string;
  time_zone: string | null;
  created_at: string;
  source_at: string;
}

export interface ChatUpsert {
  id: string;
  customer_id: string;
  title: string | null;
  created_at: string;
  source_at: string;
}

export interface GenerationStart {
  id: string;
  chat_id: string;
  customer_id: string;
  tool: string;
  model: string | null;
  prompt: string | null;
  started_at: string;
  source_at: string;
}

export interface GenerationFinish {
  id: string;
  status: 'succeeded' | 'failed';
  finished_at: string;
  error_code: string | null;
  error_message: string | null;
  status_at: string;
}

export type AssetInsert = AssetListRow;

export interface ProcessedEvent {
  id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  outcome: 'applied' | 'no_effect' | 'failed';
  note: string | null;
}

export interface RunOwner {
  customer_id: string;
  chat_id: string;
  tool: string;
}

/**
 * The statements of ingestion. Every upsert is written so that the event with
 * the latest `source_at` (occurred_at, then event id) wins whatever the arrival
 * order, and a replay changes nothing.
 */
const sql = {
  isProcessed: 'SELECT 1 AS found FROM ingest_events WHERE id = ?',
  isHeld: 'SELECT 1 AS found FROM ingest_held WHERE event_id = ?',
  markProcessed: `INSERT INTO ingest_events (id, type, occurred_at, received_at, outcome, note)
     VALUES (@id, @type, @occurred_at, @received_at, @outcome, @note)`,
  hold: `INSERT INTO ingest_held (event_id, waits_for, type, occurred_at, payload, received_at)
    VALUES (@event_id, @waits_for, @type, @occurred_at, @payload, @received_at)`,
  // Held events are released in the order they arrived. SQLite's rowid is that order (rows are
  // appended as events are held; no index needed); PostgreSQL's ingest_held has no column for it,
  // so there they go by arrival time, then by when they occurred.
  waitingFor: {
    sqlite: 'SELECT * FROM ingest_held WHERE waits_for = ? ORDER BY rowid',
    postgres: 'SELECT * FROM ingest_held WHERE waits_for = ? ORDER BY received_at, occurred_at, event_id',
  },
  release: 'DELETE FROM ingest_held WHERE event_id = ?',
  heldCount: 'SELECT COUNT(*) AS n FROM ingest_held',
  oldestHeld: {
    sqlite: 'SELECT * FROM ingest_held ORDER BY rowid LIMIT 1',
    postgres: 'SELECT * FROM ingest_held ORDER BY received_at, occurred_at, event_id LIMIT 1',
  },

  upsertCustomer: `INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
    VALUES (@id, @name, @email, @plan, @time_zone, @created_at, @source_at)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, plan = excluded.plan,
      time_zone = excluded.time_zone, source_at = excluded.source_at
    WHERE excluded.source_at > customers.source_at`,
  // A customer exists from the first upsert the studio made, whichever arrived first.
  customerSince: 'UPDATE customers SET created_at = @created_at WHERE id = @id AND created_at > @created_at',
  customerExists: 'SELECT 1 AS found FROM customers WHERE id = ?',
  // PostgreSQL only, as the rest of this group. One number of its own, apart from the audit
  // chain's 7306001 (two-number keys are another space).
  shareHolding: 'SELECT pg_advisory_xact_lock_shared(7306003)',
  holdAlone: 'SELECT pg_advisory_xact_lock(7306003)',
  // Array parameters, so the text is the same whatever the batch's size.
  lockCustomers: `SELECT id FROM customers
    WHERE id = ANY(?::text[]) OR id IN (SELECT customer_id FROM generations WHERE id = ANY(?::text[]))
    ORDER BY id FOR UPDATE`,
  lockCreditsOfCharges: `SELECT c.id FROM credits c
    JOIN credit_items i ON i.credit_id = c.id
    JOIN ledger_entries l ON l.generation_id = i.generation_id AND l.kind = 'charge'
    WHERE l.id = ANY(?::text[]) AND c.status IN ('pending_approval', 'applied')
    ORDER BY c.id FOR UPDATE OF c`,

  chatOwner: 'SELECT customer_id FROM chats WHERE id = ?',
  upsertChat: `INSERT INTO chats (id, customer_id, title, created_at, source_at)
    VALUES (@id, @customer_id, @title, @created_at, @source_at)
    ON CONFLICT (id) DO UPDATE SET title = excluded.title, created_at = excluded.created_at, source_at = excluded.source_at
    WHERE excluded.source_at > chats.source_at`,

  generationOwner: 'SELECT customer_id, chat_id, tool FROM generations WHERE id = ?',
  startGeneration: `INSERT INTO generations
      (id, chat_id, customer_id, tool, model, prompt, status, started_at, source_at, status_at)
    VALUES (@id, @chat_id, @customer_id, @tool, @model, @prompt, 'running', @started_at, @source_at, '')
    ON CONFLICT (id) DO UPDATE SET tool = excluded.tool, model = excluded.model, prompt = excluded.prompt,
      started_at = excluded.started_at, source_at = excluded.source_at
    WHERE excluded.source_at > generations.source_at`,
  finishGeneration: `UPDATE generations SET status = @status, finished_at = @finished_at,
      error_code = @error_code, error_message = @error_message, status_at = @status_at
    WHERE id = @id AND status_at < @status_at`,

  insertAsset: `INSERT INTO assets
      (id, generation_id, customer_id, kind, mime, url, thumbnail_url, width, height, duration_ms, bytes, created_at)
    VALUES (@id, @generation_id, @customer_id, @kind, @mime, @url, @thumbnail_url, @width, @height, @duration_ms, @bytes, @created_at)
    ON CONFLICT (id) DO NOTHING`,
};

/** Ingestion's reads and writes through the storage seam (db/storage/types.ts). */
export const ingestRepository = {
  isProcessed: async (q: Queryable, id: string): Promise<boolean> => (await q.get(sql.isProcessed, [id])) !== undefined,
  isHeld: async (q: Queryable, id: string): Promise<boolean> => (await q.get(sql.isHeld, [id])) !== undefined,
  markProcessed: async (tx: Transaction, row: ProcessedEvent): Promise<void> => {
    await tx.run(sql.markProcessed, row);
  },
  hold: async (tx: Transaction, row: HeldEventRow): Promise<void> => {
    await tx.run(sql.hold, row);
  },
  waitingFor: (q: Queryable, key: string): Promise<HeldEventRow[]> => q.all(sql.waitingFor, [key]),
  release: async (tx: Transaction, eventId: string): Promise<void> => {
    await tx.run(sql.release, [eventId]);
  },
  heldCount: async (q: Queryable): Promise<number> => (await q.get<{ n: number }>(sql.heldCount))?.n ?? 0,
  oldestHeld: (q: Queryable): Promise<HeldEventRow | undefined> => q.get(sql.oldestHeld),

  upsertCustomer: async (tx: Transaction, row: CustomerUpsert): Promise<void> => {
    await tx.run(sql.upsertCustomer, row);
    await tx.run(sql.customerSince, { id: row.id, created_at: row.created_at });
  },
  customerExists: async (q: Queryable, id: string): Promise<boolean> => (await q.get(sql.customerExists, [id])) !== undefined,
  /**
   * Held events on PostgreSQL: every batch takes the holding lock first — shared, or alone when it
   * holds an event (a batch that meets one runs again so, server/ingest/ingestService.ts), which
   * waits for the batches in flight to commit. A batch storing a parent and one holding an event for
   * it could otherwise miss each other, neither seeing the other's rows: the event would wait in
   * ingest_held for a parent already there. No batch upgrades its shared lock: two doing so at once
   * would each wait for the other's.
   */
  shareHolding: async (tx: Transaction): Promise<void> => {
    if (tx.engine === 'postgres') await tx.get(sql.shareHolding);
  },
  holdAlone: async (tx: Transaction): Promise<void> => {
    if (tx.engine === 'postgres') await tx.get(sql.holdAlone);
  },
  /**
   * Locks the rows of the customers `customerIds` and of the customers of the runs `runIds`, in id order,
   * until the transaction ends (PostgreSQL; SQLite's writer is alone anyway). Taken first, it keeps
   * two batches that touch the same customers from locking them in opposite orders (docs/postgres.md,
   * Concurrency).
   */
  lockCustomers: async (tx: Transaction, customerIds: readonly string[], runIds: readonly string[]): Promise<void> => {
    if (tx.engine !== 'postgres' || customerIds.length + runIds.length === 0) return;
    await tx.all(sql.lockCustomers, [[...customerIds].sort(), [...runIds].sort()]);
  },
  /**
   * Locks, in id order, the pending and applied credits of the runs the charges `chargeIds` charged:
   * those a late auto-refund undoes. Credits come before customers in the lock order, so a refund
   * meets a lead's approval or void of the same credit without a deadlock (PostgreSQL only).
   */
  lockCreditsOfCharges: async (tx: Transaction, chargeIds: readonly string[]): Promise<void> => {
    if (tx.engine !== 'postgres' || chargeIds.length === 0) return;
    await tx.all(sql.lockCreditsOfCharges, [[...chargeIds].sort()]);
  },

  chatOwner: async (q: Queryable, id: string): Promise<string | undefined> =>
    (await q.get<{ customer_id: string }>(sql.chatOwner, [id]))?.customer_id,
  upsertChat: async (tx: Transaction, row: ChatUpsert): Promise<void> => {
    await tx.run(sql.upsertChat, row);
  },

  generationOwner: (q: Queryable, id: string): Promise<RunOwner | undefined> => q.get(sql.generationOwner, [id]),
  startGeneration: async (tx: Transaction, row: GenerationStart): Promise<void> => {
    await tx.run(sql.startGeneration, row);
  },
  /** Applies an outcome unless a later one (by occurred_at) is already in place. */
  finishGeneration: async (tx: Transaction, row: GenerationFinish): Promise<void> => {
    await tx.run(sql.finishGeneration, row);
  },
  insertAsset: async (tx: Transaction, row: AssetInsert): Promise<void> => {
    await tx.run(sql.insertAsset, row);
  },
};

/** The synchronous ingestion statements, for the SQLite history import and ingestion's synchronous path. */
export function createIngestRepository(db: Db) {
  const processed = db.prepare<[string], number>(sql.isProcessed).pluck();
  const held = db.prepare<[string], number>(sql.isHeld).pluck();
  const markProcessed = db.prepare<ProcessedEvent>(sql.markProcessed);
  const hold = db.prepare<HeldEventRow>(sql.hold);
  const waiting = db.prepare<[string], HeldEventRow>(sql.waitingFor.sqlite);
  const release = db.prepare<[string]>(sql.release);
  const heldCount = db.prepare<[], number>(sql.heldCount).pluck();
  const upsertCustomer = db.prepare<CustomerUpsert>(sql.upsertCustomer);
  const customerSince = db.prepare<{ id: string; created_at: string }>(sql.customerSince);
  const customerExists = db.prepare<[string], number>(sql.customerExists).pluck();
  const chatOwner = db.prepare<[string], string>(sql.chatOwner).pluck();
  const upsertChat = db.prepare<ChatUpsert>(sql.upsertChat);
  const generationOwner = db.prepare<[string], RunOwner>(sql.generationOwner);
  const startGeneration = db.prepare<GenerationStart>(sql.startGeneration);
  const finishGeneration = db.prepare<GenerationFinish>(sql.finishGeneration);
  const insertAsset = db.prepare<AssetInsert>(sql.insertAsset);

  return {
    isProcessed: (id: string): boolean => processed.get(id) === 1,
    isHeld: (id: string): boolean => held.get(id) === 1,
    markProcessed: (row: ProcessedEvent): void => {
      markProcessed.run(row);
    },
    hold: (row: HeldEventRow): void => {
      hold.run(row);
    },
    waitingFor: (key: string): HeldEventRow[] => waiting.all(key),
    release: (eventId: string): void => {
      release.run(eventId);
    },
    heldCount: (): number => heldCount.get() ?? 0,
    upsertCustomer: (row: CustomerUpsert): void => {
      upsertCustomer.run(row);
      customerSince.run({ id: row.id, created_at: row.created_at });
    },
    customerExists: (id: string): boolean => customerExists.get(id) === 1,
    chatOwner: (id: string): string | undefined => chatOwner.get(id),
    upsertChat: (row: ChatUpsert): void => {
      upsertChat.run(row);
    },
    generationOwner: (id: string): RunOwner | undefined => generationOwner.get(id),
    startGeneration: (row: GenerationStart): void => {
      startGeneration.run(row);
    },
    /** Applies an outcome unless a later one (by occurred_at) is already in place. */
    finishGeneration: (row: GenerationFinish): void => {
      finishGeneration.run(row);
    },
    insertAsset: (row: AssetInsert): void => {
      insertAsset.run(row);
    },
  };
}
export type IngestRepository = ReturnType<typeof createIngestRepository>;
