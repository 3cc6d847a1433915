import type { z } from 'zod';
import type { Db } from '../../db/connection.ts';
import {
  createIngestRepository,
  ingestRepository,
  type AssetInsert,
  type ChatUpsert,
  type CustomerUpsert,
  type GenerationFinish,
  type GenerationStart,
  type HeldEventRow,
  type RunOwner,
} from '../../db/repositories/ingestRepository.ts';
import { ledgerRepository, type LedgerEntryRow } from '../../db/repositories/ledgerRepository.ts';
import type { Queryable, Storage, Transaction } from '../../db/storage/types.ts';
import {
  ingestDataSchemas,
  ingestEventEnvelopeSchema,
  type IngestData,
  type IngestEventType,
  type IngestResult,
  studioId,
} from '../../shared/ingestEvents.ts';
import type { HeldIngestReport, HeldParentKind } from '../../shared/reports.ts';
import type { AuditInput, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { sqliteOnly } from '../sqliteOnly.ts';
import { applyFolded } from './foldedBatch.ts';
import type { WindowItem } from './history/historyWindow.ts';
import type { CreditReversals } from '../credits/creditReversals.ts';
import { EchoMismatch, type DeliveryService, type StudioEcho } from '../delivery/deliveryService.ts';
import type { Ledger, PostEntry } from '../ledger/ledger.ts';
import {
  chargeProblem,
  chatClaimProblem,
  describeIssues,
  missingChargeProblem,
  missingRunProblem,
  parentInWords,
  parentOf,
  refundProblem,
  runStartProblem,
} from './ingestRules.ts';

/** A valid event the console cannot accept (it contradicts stored records); not remembered, so it can be resent. */
class EventRejected extends Error {}

/**
 * How many events may wait for their parent record at once, in all
 * (docs/integration.md, Order and retries). A studio that never sends the
 * parents would otherwise grow ingest_held without end.
 */
export const DEFAULT_HELD_EVENT_LIMIT = 100_000;

export interface IngestOptions {
  /** At most this many held events; past it a new event whose parent is missing is rejected, not held. */
  heldEventLimit?: number;
}

interface ParsedEvent<T extends IngestEventType = IngestEventType> {
  id: string;
  type: T;
  occurredAt: string;
  data: IngestData<T>;
}

type Outcome = 'applied' | 'no_effect' | 'held';

interface BatchStats {
  held: number;
  released: number;
  failedLate: number;
  /** Held events when the batch began; counted at its first event that needs holding. */
  heldBefore?: number;
  /** PostgreSQL: the batch took the holding lock alone at its start (HoldingLockNeeded). */
  holdingAlone?: boolean;
}

/**
 * Thrown on PostgreSQL by a batch that took the holding lock shared and meets an event to hold:
 * the batch is rolled back and run again holding the lock alone from its start. Upgrading the
 * shared lock in place deadlocked two batches that both held events, each waiting for the other's
 * shared lock to go.
 */
class HoldingLockNeeded extends Error {}

const newStats = (): BatchStats => ({ held: 0, released: 0, failedLate: 0 });

/*
 * What follows up to createIngestService is the logic both ways of applying
 * events share (the storage seam's, and the synchronous one the SQLite history
 * import still calls): which record an event needs and stores, the rows it
 * writes, and the words of a rejection.
 */

const idOf = (raw: unknown): string | null =>
  typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? ((raw as { id: string }).id).slice(0, 200) : null;

type Envelope = z.infer<typeof ingestEventEnvelopeSchema>;

/** An event of a batch with its envelope checked, or the reason it has none the console can read. */
type Screened = { envelope: Envelope } | { rejection: IngestResult['rejected'][number] };

function screen(raw: unknown, index: number): Screened {
  const envelope = ingestEventEnvelopeSchema.safeParse(raw);
  return envelope.success
    ? { envelope: envelope.data }
    : { rejection: { id: idOf(raw), error: `events[${index}]: ${describeIssues(envelope.error, '')}` } };
}

/** The event's data checked by its type's schema, or the reason it is rejected. */
function parseData(envelope: Envelope): ParsedEvent | { invalid: string } {
  const data = ingestDataSchemas[envelope.type].safeParse(envelope.data);
  if (!data.success) return { invalid: describeIssues(data.error, 'data') };
  return { id: envelope.id, type: envelope.type, occurredAt: envelope.occurred_at, data: data.data } as ParsedEvent;
}

/** The batch as a window for the fold (foldedBatch.ts): each event parsed or with its rejection, and the ids of those their schema refused. */
function windowOf(screened: readonly Screened[]): [WindowItem[], Set<string>] {
  const invalidIds = new Set<string>();
  const items = screened.map((item, line): WindowItem => {
    if ('rejection' in item) return { line, end: 0, id: item.rejection.id, error: item.rejection.error };
    const event = parseData(item.envelope);
    if ('invalid' in event) {
      invalidIds.add(item.envelope.id);
      return { line, end: 0, id: item.envelope.id, error: event.invalid };
    }
    return { line, end: 0, event: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data as Record<string, unknown> } };
  });
  return [items, invalidIds];
}

/** The records whose rows a batch locks before anything else: the credits its refunds may undo, its customers, the customers of its runs. */
function namedBy(screened: readonly Screened[]): { charges: string[]; customers: string[]; runs: string[] } {
  const charges = new Set<string>();
  const customers = new Set<string>();
  const runs = new Set<string>();
  // An id its schema refuses names no row, and its event is rejected later (PostgreSQL could not even
  // compare one holding a NUL): only well-formed ids are locked.
  const add = (ids: Set<string>, id: unknown): void => {
    if (studioId.safeParse(id).success) ids.add(id as string);
  };
  for (const item of screened) {
    if (!('envelope' in item)) continue;
    const { type, data } = item.envelope;
    add(customers, type === 'customer.upserted' ? data.id : data.customer_id);
    // Events about a run that do not name its customer: its customer is locked through the run.
    if (type === 'generation.succeeded' || type === 'generation.failed') add(runs, data.id);
    if (type === 'asset.created') add(runs, data.generation_id);
    if (type === 'tokens.refunded') add(charges, data.charge_transaction_id);
  }
  return { charges: [...charges], customers: [...customers], runs: [...runs] };
}

/**
 * On PostgreSQL, before its first event, a batch takes its locks in the lock order: the holding
 * lock, shared (ingestRepository.shareHolding); the credits a late refund may undo; its customers in
 * id order (docs/postgres.md, Concurrency). Two batches about the same customers then queue instead
 * of deadlocking; a deadlock left (an event released from ingest_held about a customer the batch
 * does not name, two batches about to hold events at once) is run again by the storage.
 */
async function lockWhatItNames(tx: Transaction, named: ReturnType<typeof namedBy>, holdingAlone: boolean): Promise<void> {
  await (holdingAlone ? ingestRepository.holdAlone(tx) : ingestRepository.shareHolding(tx));
  await ingestRepository.lockCreditsOfCharges(tx, named.charges);
  await ingestRepository.lockCustomers(tx, named.customers, named.runs);
}

/** The key (`customer:cus_1`) of the record an event hangs on, stored or not; null when it hangs on none. */
function parentKeyOf(event: ParsedEvent): string | null {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'customer.upserted':
    case 'tokens.credit_applied':
    case 'tokens.credit_voided':
      return null;
    case 'chat.created':
    case 'tokens.purchased':
    case 'tokens.plan_granted':
      return `customer:${d.customer_id}`;
    case 'generation.started':
      return `chat:${d.chat_id}`;
    case 'generation.succeeded':
    case 'generation.failed':
      return `generation:${d.id}`;
    case 'asset.created':
    case 'tokens.charged':
      return `generation:${d.generation_id}`;
    case 'tokens.refunded':
      return `txn:${d.charge_transaction_id}`;
  }
}

/** The key of the record an applied event stores, which held events may be waiting for. */
function createdKey(event: ParsedEvent): string | null {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'customer.upserted':
      return `customer:${d.id}`;
    case 'chat.created':
      return `chat:${d.id}`;
    case 'generation.started':
      return `generation:${d.id}`;
    case 'tokens.charged':
    case 'tokens.refunded':
    case 'tokens.purchased':
    case 'tokens.plan_granted':
      return `txn:${d.transaction_id}`;
    default:
      return null;
  }
}

const sourceAt = (event: ParsedEvent): string => `${event.occurredAt}|${event.id}`;

const customerUpsert = (event: ParsedEvent, d: IngestData<'customer.upserted'>): CustomerUpsert => ({
  id: d.id, name: d.name, email: d.email, plan: d.plan, time_zone: d.time_zone ?? null, created_at: event.occurredAt, source_at: sourceAt(event),
});

const chatUpsert = (event: ParsedEvent, d: IngestData<'chat.created'>): ChatUpsert => ({
  id: d.id, customer_id: d.customer_id, title: d.title ?? null, created_at: d.created_at, source_at: sourceAt(event),
});

const runStart = (event: ParsedEvent, d: IngestData<'generation.started'>): GenerationStart => ({
  id: d.id, chat_id: d.chat_id, customer_id: d.customer_id, tool: d.tool, model: d.model ?? null, prompt: d.prompt ?? null,
  started_at: d.started_at, source_at: sourceAt(event),
});

function runFinish(event: ParsedEvent): GenerationFinish {
  const d = event.data as IngestData<'generation.failed'> | IngestData<'generation.succeeded'>;
  const failed = event.type === 'generation.failed' ? (d as IngestData<'generation.failed'>) : null;
  return {
    id: d.id, status: failed ? 'failed' : 'succeeded', finished_at: d.finished_at,
    error_code: failed?.error_code ?? null, error_message: failed?.error_message ?? null, status_at: sourceAt(event),
  };
}

const assetRow = (d: IngestData<'asset.created'>, run: RunOwner): AssetInsert => ({
  id: d.id, generation_id: d.generation_id, customer_id: run.customer_id, kind: d.kind, mime: d.mime, url: d.url,
  thumbnail_url: d.thumbnail_url ?? null, width: d.width ?? null, height: d.height ?? null, duration_ms: d.duration_ms ?? null,
  bytes: d.bytes ?? null, created_at: d.created_at,
});

const chargeEntry = (d: IngestData<'tokens.charged'>, run: RunOwner): PostEntry => ({
  id: d.transaction_id, customerId: d.customer_id, kind: 'charge', amount: -d.amount, createdAt: d.created_at,
  generationId: d.generation_id, chatId: run.chat_id, tool: run.tool,
});

const refundEntry = (d: IngestData<'tokens.refunded'>, charge: LedgerEntryRow): PostEntry => ({
  id: d.transaction_id, customerId: d.customer_id, kind: 'auto_refund', amount: d.amount, createdAt: d.created_at,
  generationId: charge.generation_id, chatId: charge.chat_id, tool: charge.tool, reversesId: charge.id,
});

function grantEntry(event: ParsedEvent): PostEntry {
  const d = event.data as IngestData<'tokens.purchased'>;
  return {
    id: d.transaction_id, customerId: d.customer_id, kind: event.type === 'tokens.purchased' ? 'purchase' : 'plan_grant',
    amount: d.amount, createdAt: d.created_at,
  };
}

function echoOf(event: ParsedEvent): StudioEcho {
  const d = event.data as IngestData<'tokens.credit_applied'>;
  return { type: event.type === 'tokens.credit_applied' ? 'credit.applied' : 'credit.voided', ...d };
}

/** An echo that contradicts the credit event it names is rejected; anything else wrong is not the studio's. */
function asRejection(error: unknown): never {
  if (error instanceof EchoMismatch) throw new EventRejected(error.message);
  throw error;
}

const heldRow = (event: ParsedEvent, waitsFor: string, receivedAt: string): HeldEventRow => ({
  event_id: event.id, waits_for: waitsFor, type: event.type, occurred_at: event.occurredAt, payload: JSON.stringify(event.data), received_at: receivedAt,
});

function parseHeld(held: HeldEventRow): ParsedEvent {
  const type = held.type as IngestEventType;
  return { id: held.event_id, type, occurredAt: held.occurred_at, data: ingestDataSchemas[type].parse(JSON.parse(held.payload)) };
}

const processedRow = (event: ParsedEvent, receivedAt: string, outcome: 'applied' | 'no_effect') =>
  ({ id: event.id, type: event.type, occurred_at: event.occurredAt, received_at: receivedAt, outcome, note: null });

/** A held event found invalid once its parent arrived: it was acknowledged when held, so why it failed is remembered. */
const failedLateRow = (held: HeldEventRow, error: EventRejected) =>
  ({ id: held.event_id, type: held.type, occurred_at: held.occurred_at, received_at: held.received_at, outcome: 'failed' as const, note: error.message });

function pastLimit(waitsFor: string, heldEventLimit: number): EventRejected {
  const parent = parentInWords(waitsFor);
  return new EventRejected(
    `${parent} is not stored yet, and ${heldEventLimit.toLocaleString('en-US')} events already wait for their parent records (the most Token Desk holds): send ${parent} first, then this event again`,
  );
}

/** The batch's one audit event. */
const batchAudit = (events: number, result: IngestResult, stats: BatchStats, origin: RequestOrigin | undefined): AuditInput => ({
  actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: origin?.requestId ?? null,
  after: {
    events, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected.length,
    held: stats.held, released: stats.released, failed_late: stats.failedLate,
  },
  origin,
});

/** Counts an event's outcome in the batch's answer. */
function count(result: IngestResult, id: string, outcome: Outcome | 'duplicate' | { invalid: string }): void {
  if (typeof outcome === 'object') result.rejected.push({ id, error: outcome.invalid });
  else if (outcome === 'duplicate' || outcome === 'no_effect') result.duplicates++;
  else result.accepted++;
}

/** PostgreSQL's unique_violation: another transaction committed a row with the same key first. */
const UNIQUE_VIOLATION = '23505';
const sqlStateOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/**
 * Applies the studio's events. Delivery order does not matter: an event whose
 * parent record has not arrived yet is held (counted as accepted) and applied
 * the moment the parent is stored. Each batch is one transaction; each event
 * runs in its own savepoint so one bad event never drops the good ones.
 */
export function createIngestService(
  storage: Storage,
  db: Db | null,
  ledger: Ledger,
  reversals: CreditReversals,
  delivery: Pick<DeliveryService, 'confirmEcho' | 'confirmEchoIn'>,
  audit: AuditLog,
  clock: Clock,
  { heldEventLimit = DEFAULT_HELD_EVENT_LIMIT }: IngestOptions = {},
) {
  const stored: Record<HeldParentKind, (q: Queryable, id: string) => Promise<boolean>> = {
    customer: ingestRepository.customerExists,
    chat: async (q, id) => (await ingestRepository.chatOwner(q, id)) !== undefined,
    generation: async (q, id) => (await ingestRepository.generationOwner(q, id)) !== undefined,
    transaction: async (q, id) => (await ledgerRepository.byId(q, id)) !== undefined,
  };

  /** The key of the record the event hangs on, when it is not stored yet. */
  async function missingParent(tx: Transaction, event: ParsedEvent): Promise<string | null> {
    const key = parentKeyOf(event);
    if (!key) return null;
    const { kind, id } = parentOf(key);
    return (await stored[kind](tx, id)) ? null : key;
  }

  async function apply(tx: Transaction, event: ParsedEvent): Promise<'applied' | 'no_effect'> {
    switch (event.type) {
      case 'customer.upserted':
        await ingestRepository.upsertCustomer(tx, customerUpsert(event, event.data as IngestData<'customer.upserted'>));
        return 'applied';
      case 'chat.created': {
        const d = event.data as IngestData<'chat.created'>;
        const problem = chatClaimProblem(d.id, await ingestRepository.chatOwner(tx, d.id), d.customer_id);
        if (problem) throw new EventRejected(problem);
        await ingestRepository.upsertChat(tx, chatUpsert(event, d));
        return 'applied';
      }
      case 'generation.started': {
        const d = event.data as IngestData<'generation.started'>;
        const problem = runStartProblem(d, await ingestRepository.chatOwner(tx, d.chat_id), await ingestRepository.generationOwner(tx, d.id));
        if (problem) throw new EventRejected(problem);
        await ingestRepository.startGeneration(tx, runStart(event, d));
        return 'applied';
      }
      case 'generation.succeeded':
      case 'generation.failed':
        await ingestRepository.finishGeneration(tx, runFinish(event));
        return 'applied';
      case 'asset.created': {
        const d = event.data as IngestData<'asset.created'>;
        const run = await ingestRepository.generationOwner(tx, d.generation_id);
        if (!run) throw new EventRejected(missingRunProblem(d.generation_id));
        await ingestRepository.insertAsset(tx, assetRow(d, run));
        return 'applied';
      }
      case 'tokens.charged': {
        const d = event.data as IngestData<'tokens.charged'>;
        if (await ledgerRepository.byId(tx, d.transaction_id)) return 'no_effect';
        const run = await ingestRepository.generationOwner(tx, d.generation_id);
        if (!run) throw new EventRejected(missingRunProblem(d.generation_id));
        const charged = (await ledgerRepository.forGeneration(tx, d.generation_id)).find((entry) => entry.kind === 'charge');
        const problem = chargeProblem(d, run, charged?.id);
        if (problem) throw new EventRejected(problem);
        await ledger.append(tx, chargeEntry(d, run));
        return 'applied';
      }
      case 'tokens.refunded': {
        const d = event.data as IngestData<'tokens.refunded'>;
        if (await ledgerRepository.byId(tx, d.transaction_id)) return 'no_effect';
        const charge = await ledgerRepository.byId(tx, d.charge_transaction_id);
        if (!charge) throw new EventRejected(missingChargeProblem(d));
        const problem = refundProblem(d, charge);
        if (problem) throw new EventRejected(problem);
        // A second refund of one charge is a redelivery under another id: no second refund.
        if (await ledgerRepository.reversalOf(tx, charge.id)) return 'no_effect';
        if (charge.generation_id) await reversals.undoForLateRefundIn(tx, charge.generation_id, d.transaction_id);
        await ledger.append(tx, refundEntry(d, charge));
        return 'applied';
      }
      case 'tokens.purchased':
      case 'tokens.plan_granted':
        if (await ledgerRepository.byId(tx, (event.data as IngestData<'tokens.purchased'>).transaction_id)) return 'no_effect';
        await ledger.append(tx, grantEntry(event));
        return 'applied';
      case 'tokens.credit_applied':
      case 'tokens.credit_voided':
        // A repeated echo under another event id confirms nothing new.
        return (await delivery.confirmEchoIn(tx, echoOf(event)).catch(asRejection)) ? 'applied' : 'no_effect';
    }
  }

  /**
   * The parent the event must wait for, if any. On PostgreSQL only a batch holding the holding lock
   * alone may hold an event: it took the lock after every batch in flight committed, so a parent one
   * of them stored is seen. Any other batch is run again so (HoldingLockNeeded).
   */
  async function parentToWaitFor(tx: Transaction, event: ParsedEvent, stats: BatchStats): Promise<string | null> {
    const missing = await missingParent(tx, event);
    if (missing && tx.engine === 'postgres' && !stats.holdingAlone) throw new HoldingLockNeeded();
    return missing;
  }

  /** Held events now: counted once per batch (no one else holds or releases meanwhile: SQLite's one writer, PostgreSQL's holding lock), then followed. */
  async function heldNow(tx: Transaction, stats: BatchStats): Promise<number> {
    stats.heldBefore ??= await ingestRepository.heldCount(tx);
    return stats.heldBefore + stats.held - stats.released;
  }

  /**
   * Applies the event, or holds it until its parent arrives. `arrival` is
   * `released` for an event taken out of ingest_held a moment ago: holding it
   * again takes back its own place, so only a `new` event meets the limit.
   */
  async function applyOrHold(tx: Transaction, event: ParsedEvent, receivedAt: string, stats: BatchStats, arrival: 'new' | 'released'): Promise<Outcome> {
    const waitsFor = await parentToWaitFor(tx, event, stats);
    if (waitsFor) {
      if (arrival === 'new' && (await heldNow(tx, stats)) >= heldEventLimit) throw pastLimit(waitsFor, heldEventLimit);
      await ingestRepository.hold(tx, heldRow(event, waitsFor, receivedAt));
      stats.held++;
      return 'held';
    }
    const outcome = await apply(tx, event);
    await ingestRepository.markProcessed(tx, processedRow(event, receivedAt, outcome));
    const key = createdKey(event);
    if (key && outcome === 'applied') await releaseWaiting(tx, key, stats);
    return outcome;
  }

  /** Applies the events that were waiting for `key`, now that it is stored. */
  async function releaseWaiting(tx: Transaction, key: string, stats: BatchStats): Promise<void> {
    for (const held of await ingestRepository.waitingFor(tx, key)) {
      await ingestRepository.release(tx, held.event_id);
      stats.released++;
      const event = parseHeld(held);
      try {
        await tx.savepoint((sp) => applyOrHold(sp, event, held.received_at, stats, 'released'));
      } catch (error) {
        if (!(error instanceof EventRejected)) throw error;
        stats.failedLate++;
        await ingestRepository.markProcessed(tx, failedLateRow(held, error));
      }
    }
  }

  /** One new event: a duplicate of one remembered, data its schema refuses, or applied (or held). Throws EventRejected. */
  async function receive(tx: Transaction, envelope: Envelope, receivedAt: string, stats: BatchStats): Promise<Outcome | 'duplicate' | { invalid: string }> {
    if ((await ingestRepository.isProcessed(tx, envelope.id)) || (await ingestRepository.isHeld(tx, envelope.id))) return 'duplicate';
    const event = parseData(envelope);
    return 'invalid' in event ? event : applyOrHold(tx, event, receivedAt, stats, 'new');
  }

  /**
   * `receive` in a savepoint of its own. On PostgreSQL two batches may carry the same event (or
   * the same transaction) at once: the unique index makes the later writer wait for the other's
   * commit and then refuses its row. The event is then received once more: its checks, reading
   * what is committed now, find the other batch's rows and count it a duplicate.
   */
  async function receiveInSavepoint(tx: Transaction, envelope: Envelope, receivedAt: string, stats: BatchStats) {
    const before = { ...stats };
    try {
      return await tx.savepoint((sp) => receive(sp, envelope, receivedAt, stats));
    } catch (error) {
      if (tx.engine !== 'postgres' || sqlStateOf(error) !== UNIQUE_VIOLATION) throw error;
      Object.assign(stats, before);
      return tx.savepoint((sp) => receive(sp, envelope, receivedAt, stats));
    }
  }

  /** One batch, one transaction, one audit event. */
  async function ingestBatch(rawEvents: readonly unknown[], origin?: RequestOrigin): Promise<IngestResult> {
    const screened = rawEvents.map(screen);
    try {
      return await applyBatch(screened, rawEvents.length, origin, false);
    } catch (error) {
      if (!(error instanceof HoldingLockNeeded)) throw error;
      return applyBatch(screened, rawEvents.length, origin, true);
    }
  }

  async function applyBatch(screened: readonly Screened[], events: number, origin: RequestOrigin | undefined, holdingAlone: boolean): Promise<IngestResult> {
    return storage.transaction(async (tx) => {
      await lockWhatItNames(tx, namedBy(screened), holdingAlone);
      const stats: BatchStats = { ...newStats(), holdingAlone };
      const receivedAt = isoNow(clock);
      // On PostgreSQL a plain batch goes set-based (foldedBatch.ts); a batch that holds events has run that way once already.
      const folded = tx.engine === 'postgres' && !holdingAlone ? await applyFolded(tx, ...windowOf(screened), receivedAt) : null;
      const result = folded ?? (await applyEventByEvent(tx, screened, receivedAt, stats));
      await audit.append(tx, batchAudit(events, result, stats, origin));
      return result;
    });
  }

  /** Each event in a savepoint of its own, in order. */
  async function applyEventByEvent(tx: Transaction, screened: readonly Screened[], receivedAt: string, stats: BatchStats): Promise<IngestResult> {
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
    for (const item of screened) {
      if ('rejection' in item) {
        result.rejected.push(item.rejection);
        continue;
      }
      try {
        count(result, item.envelope.id, await receiveInSavepoint(tx, item.envelope, receivedAt, stats));
      } catch (error) {
        if (!(error instanceof EventRejected)) throw error;
        result.rejected.push({ id: item.envelope.id, error: error.message });
      }
    }
    return result;
  }

  /** The backlog of held events for a lead's report: how many, the limit, and the one waiting longest. */
  async function heldReport(): Promise<HeldIngestReport> {
    const held = await ingestRepository.heldCount(storage);
    const oldest = await ingestRepository.oldestHeld(storage);
    return {
      held,
      limit: heldEventLimit,
      oldest: oldest
        ? { event_id: oldest.event_id, type: oldest.type, waits_for: parentOf(oldest.waits_for), occurred_at: oldest.occurred_at, received_at: oldest.received_at }
        : null,
    };
  }

  const synchronous = sqliteOnly(db, 'the synchronous ingest', (connection: Db) => createSynchronousIngest(connection, ledger, reversals, delivery, audit, clock, heldEventLimit));
  return {
    ingestBatch,
    heldReport,
    /** The synchronous twin of ingestBatch, for the SQLite history import inside its own transaction. */
    ingest: (...args: Parameters<ReturnType<typeof createSynchronousIngest>>) => synchronous()(...args),
  };
}
export type IngestService = ReturnType<typeof createIngestService>;

/**
 * Ingestion on better-sqlite3's synchronous API, for the SQLite history
 * import: it applies a few events through the live path inside its own
 * `BEGIN IMMEDIATE` (server/ingest/history/sqliteHistoryLoader.ts), where
 * nothing may await (PostgreSQL's loader calls ingestBatch). The same steps
 * as the seam's path above, on the same shared logic; it goes when the SQLite
 * history import moves onto the seam.
 */
function createSynchronousIngest(
  db: Db,
  ledger: Ledger,
  reversals: CreditReversals,
  delivery: Pick<DeliveryService, 'confirmEcho'>,
  audit: AuditLog,
  clock: Clock,
  heldEventLimit: number,
) {
  const repo = createIngestRepository(db);
  const stored: Record<HeldParentKind, (id: string) => boolean> = {
    customer: repo.customerExists,
    chat: (id) => repo.chatOwner(id) !== undefined,
    generation: (id) => repo.generationOwner(id) !== undefined,
    transaction: (id) => ledger.byId(id) !== undefined,
  };

  function missingParent(event: ParsedEvent): string | null {
    const key = parentKeyOf(event);
    if (!key) return null;
    const { kind, id } = parentOf(key);
    return stored[kind](id) ? null : key;
  }

  function apply(event: ParsedEvent): 'applied' | 'no_effect' {
    switch (event.type) {
      case 'customer.upserted':
        repo.upsertCustomer(customerUpsert(event, event.data as IngestData<'customer.upserted'>));
        return 'applied';
      case 'chat.created': {
        const d = event.data as IngestData<'chat.created'>;
        const problem = chatClaimProblem(d.id, repo.chatOwner(d.id), d.customer_id);
        if (problem) throw new EventRejected(problem);
        repo.upsertChat(chatUpsert(event, d));
        return 'applied';
      }
      case 'generation.started': {
        const d = event.data as IngestData<'generation.started'>;
        const problem = runStartProblem(d, repo.chatOwner(d.chat_id), repo.generationOwner(d.id));
        if (problem) throw new EventRejected(problem);
        repo.startGeneration(runStart(event, d));
        return 'applied';
      }
      case 'generation.succeeded':
      case 'generation.failed':
        repo.finishGeneration(runFinish(event));
        return 'applied';
      case 'asset.created': {
        const d = event.data as IngestData<'asset.created'>;
        const run = repo.generationOwner(d.generation_id);
        if (!run) throw new EventRejected(missingRunProblem(d.generation_id));
        repo.insertAsset(assetRow(d, run));
        return 'applied';
      }
      case 'tokens.charged': {
        const d = event.data as IngestData<'tokens.charged'>;
        if (ledger.byId(d.transaction_id)) return 'no_effect';
        const run = repo.generationOwner(d.generation_id);
        if (!run) throw new EventRejected(missingRunProblem(d.generation_id));
        const problem = chargeProblem(d, run, ledger.forGeneration(d.generation_id).find((entry) => entry.kind === 'charge')?.id);
        if (problem) throw new EventRejected(problem);
        ledger.post(chargeEntry(d, run));
        return 'applied';
      }
      case 'tokens.refunded': {
        const d = event.data as IngestData<'tokens.refunded'>;
        if (ledger.byId(d.transaction_id)) return 'no_effect';
        const charge = ledger.byId(d.charge_transaction_id);
        if (!charge) throw new EventRejected(missingChargeProblem(d));
        const problem = refundProblem(d, charge);
        if (problem) throw new EventRejected(problem);
        if (ledger.reversalOf(charge.id)) return 'no_effect';
        if (charge.generation_id) reversals.undoForLateRefund(charge.generation_id, d.transaction_id);
        ledger.post(refundEntry(d, charge));
        return 'applied';
      }
      case 'tokens.purchased':
      case 'tokens.plan_granted':
        if (ledger.byId((event.data as IngestData<'tokens.purchased'>).transaction_id)) return 'no_effect';
        ledger.post(grantEntry(event));
        return 'applied';
      case 'tokens.credit_applied':
      case 'tokens.credit_voided':
        try {
          return delivery.confirmEcho(echoOf(event)) ? 'applied' : 'no_effect';
        } catch (error) {
          return asRejection(error);
        }
    }
  }

  function heldNow(stats: BatchStats): number {
    stats.heldBefore ??= repo.heldCount();
    return stats.heldBefore + stats.held - stats.released;
  }

  function applyOrHold(event: ParsedEvent, receivedAt: string, stats: BatchStats, arrival: 'new' | 'released'): Outcome {
    const waitsFor = missingParent(event);
    if (waitsFor) {
      if (arrival === 'new' && heldNow(stats) >= heldEventLimit) throw pastLimit(waitsFor, heldEventLimit);
      repo.hold(heldRow(event, waitsFor, receivedAt));
      stats.held++;
      return 'held';
    }
    const outcome = apply(event);
    repo.markProcessed(processedRow(event, receivedAt, outcome));
    const key = createdKey(event);
    if (key && outcome === 'applied') releaseWaiting(key, stats);
    return outcome;
  }

  function releaseWaiting(key: string, stats: BatchStats): void {
    for (const held of repo.waitingFor(key)) {
      repo.release(held.event_id);
      stats.released++;
      const event = parseHeld(held);
      try {
        db.transaction(() => applyOrHold(event, held.received_at, stats, 'released'))();
      } catch (error) {
        if (!(error instanceof EventRejected)) throw error;
        stats.failedLate++;
        repo.markProcessed(failedLateRow(held, error));
      }
    }
  }

  function receive(envelope: Envelope, receivedAt: string, stats: BatchStats): Outcome | 'duplicate' | { invalid: string } {
    if (repo.isProcessed(envelope.id) || repo.isHeld(envelope.id)) return 'duplicate';
    const event = parseData(envelope);
    return 'invalid' in event ? event : applyOrHold(event, receivedAt, stats, 'new');
  }

  /** `ingestBatch` in the caller's SQLite transaction (or one of its own). */
  function ingest(rawEvents: readonly unknown[], origin?: RequestOrigin): IngestResult {
    return db
      .transaction(() => {
        const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
        const stats = newStats();
        const receivedAt = isoNow(clock);
        rawEvents.map(screen).forEach((item) => {
          if ('rejection' in item) {
            result.rejected.push(item.rejection);
            return;
          }
          try {
            count(result, item.envelope.id, db.transaction(() => receive(item.envelope, receivedAt, stats))());
          } catch (error) {
            if (!(error instanceof EventRejected)) throw error;
            result.rejected.push({ id: item.envelope.id, error: error.message });
          }
        });
        audit.record(batchAudit(rawEvents.length, result, stats, origin));
        return result;
      })
      .immediate();
  }

  return ingest;
}
