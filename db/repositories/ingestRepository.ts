import type { Db } from '../connection.ts';
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

/**
 * The writes of ingestion. Every upsert is written so that the event with the
 * latest `source_at` (occurred_at, then event id) wins whatever the arrival
 * order, and a replay changes nothing.
 */
export function createIngestRepository(db: Db) {
  const processed = db.prepare<[string], number>('SELECT 1 FROM ingest_events WHERE id = ?').pluck();
  const held = db.prepare<[string], number>('SELECT 1 FROM ingest_held WHERE event_id = ?').pluck();
  const markProcessed = db.prepare<{ id: string; type: string; occurred_at: string; received_at: string; outcome: string; note: string | null }>(
    `INSERT INTO ingest_events (id, type, occurred_at, received_at, outcome, note)
     VALUES (@id, @type, @occurred_at, @received_at, @outcome, @note)`,
  );
  const hold = db.prepare<HeldEventRow>(`INSERT INTO ingest_held (event_id, waits_for, type, occurred_at, payload, received_at)
    VALUES (@event_id, @waits_for, @type, @occurred_at, @payload, @received_at)`);
  const waiting = db.prepare<[string], HeldEventRow>('SELECT * FROM ingest_held WHERE waits_for = ? ORDER BY rowid');
  const release = db.prepare<[string]>('DELETE FROM ingest_held WHERE event_id = ?');
  const heldCount = db.prepare<[], number>('SELECT COUNT(*) FROM ingest_held').pluck();
  // Rows are appended as events are held, so the first rowid is the one held longest; no index needed.
  const oldestHeld = db.prepare<[], HeldEventRow>('SELECT * FROM ingest_held ORDER BY rowid LIMIT 1');

  const upsertCustomer = db.prepare<CustomerUpsert>(`INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
    VALUES (@id, @name, @email, @plan, @time_zone, @created_at, @source_at)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, plan = excluded.plan,
      time_zone = excluded.time_zone, source_at = excluded.source_at
    WHERE excluded.source_at > customers.source_at`);
  // A customer exists from the first upsert the studio made, whichever arrived first.
  const customerSince = db.prepare<{ id: string; created_at: string }>(
    'UPDATE customers SET created_at = @created_at WHERE id = @id AND created_at > @created_at',
  );
  const customerExists = db.prepare<[string], number>('SELECT 1 FROM customers WHERE id = ?').pluck();

  const chatOwner = db.prepare<[string], string>('SELECT customer_id FROM chats WHERE id = ?').pluck();
  const upsertChat = db.prepare<ChatUpsert>(`INSERT INTO chats (id, customer_id, title, created_at, source_at)
    VALUES (@id, @customer_id, @title, @created_at, @source_at)
    ON CONFLICT (id) DO UPDATE SET title = excluded.title, created_at = excluded.created_at, source_at = excluded.source_at
    WHERE excluded.source_at > chats.source_at`);

  const generationOwner = db.prepare<[string], { customer_id: string; chat_id: string; tool: string }>(
    'SELECT customer_id, chat_id, tool FROM generations WHERE id = ?',
  );
  const startGeneration = db.prepare<GenerationStart>(`INSERT INTO generations
      (id, chat_id, customer_id, tool, model, prompt, status, started_at, source_at, status_at)
    VALUES (@id, @chat_id, @customer_id, @tool, @model, @prompt, 'running', @started_at, @source_at, '')
    ON CONFLICT (id) DO UPDATE SET tool = excluded.tool, model = excluded.model, prompt = excluded.prompt,
      started_at = excluded.started_at, source_at = excluded.source_at
    WHERE excluded.source_at > generations.source_at`);
  const finishGeneration = db.prepare<GenerationFinish>(`UPDATE generations SET status = @status, finished_at = @finished_at,
      error_code = @error_code, error_message = @error_message, status_at = @status_at
    WHERE id = @id AND status_at < @status_at`);

  const insertAsset = db.prepare<AssetInsert>(`INSERT INTO assets
      (id, generation_id, customer_id, kind, mime, url, thumbnail_url, width, height, duration_ms, bytes, created_at)
    VALUES (@id, @generation_id, @customer_id, @kind, @mime, @url, @thumbnail_url, @width, @height, @duration_ms, @bytes, @created_at)
    ON CONFLICT (id) DO NOTHING`);

  return {
    isProcessed: (id: string): boolean => processed.get(id) === 1,
    isHeld: (id: string): boolean => held.get(id) === 1,
    markProcessed: (row: { id: string; type: string; occurred_at: string; received_at: string; outcome: 'applied' | 'no_effect' | 'failed'; note: string | null }): void => {
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
    oldestHeld: (): HeldEventRow | undefined => oldestHeld.get(),
    upsertCustomer: (row: CustomerUpsert): void => {
      upsertCustomer.run(row);
      customerSince.run({ id: row.id, created_at: row.created_at });
    },
    customerExists: (id: string): boolean => customerExists.get(id) === 1,
    chatOwner: (id: string): string | undefined => chatOwner.get(id),
    upsertChat: (row: ChatUpsert): void => {
      upsertChat.run(row);
    },
    generationOwner: (id: string) => generationOwner.get(id),
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
