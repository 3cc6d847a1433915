import type { Db } from '../../db/connection.ts';
import { createIngestRepository, type HeldEventRow } from '../../db/repositories/ingestRepository.ts';
import {
  ingestDataSchemas,
  ingestEventEnvelopeSchema,
  type IngestData,
  type IngestEventType,
  type IngestResult,
} from '../../shared/ingestEvents.ts';
import type { HeldIngestReport } from '../../shared/reports.ts';
import type { AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import type { CreditReversals } from '../credits/creditReversals.ts';
import { EchoMismatch, type DeliveryService } from '../delivery/deliveryService.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { chargeProblem, chatClaimProblem, describeIssues, parentInWords, parentOf, refundProblem, runStartProblem } from './ingestRules.ts';

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

const idOf = (raw: unknown): string | null =>
  typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? ((raw as { id: string }).id).slice(0, 200) : null;

/**
 * Applies the studio's events. Delivery order does not matter: an event whose
 * parent record has not arrived yet is held (counted as accepted) and applied
 * the moment the parent is stored. Each batch is one transaction; each event
 * runs in its own savepoint so one bad event never drops the good ones.
 */
export function createIngestService(
  db: Db,
  ledger: Ledger,
  reversals: CreditReversals,
  delivery: Pick<DeliveryService, 'confirmEcho'>,
  audit: AuditLog,
  clock: Clock,
  { heldEventLimit = DEFAULT_HELD_EVENT_LIMIT }: IngestOptions = {},
) {
  const repo = createIngestRepository(db);

  /** The record an event hangs on, as a key, when it is not stored yet. */
  function missingParent(event: ParsedEvent): string | null {
    const d = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'customer.upserted':
      case 'tokens.credit_applied':
      case 'tokens.credit_voided':
        return null;
      case 'chat.created':
      case 'tokens.purchased':
      case 'tokens.plan_granted':
        return repo.customerExists(String(d.customer_id)) ? null : `customer:${d.customer_id}`;
      case 'generation.started':
        return repo.chatOwner(String(d.chat_id)) !== undefined ? null : `chat:${d.chat_id}`;
      case 'generation.succeeded':
      case 'generation.failed':
        return repo.generationOwner(String(d.id)) ? null : `generation:${d.id}`;
      case 'asset.created':
      case 'tokens.charged':
        return repo.generationOwner(String(d.generation_id)) ? null : `generation:${d.generation_id}`;
      case 'tokens.refunded':
        return ledger.byId(String(d.charge_transaction_id)) ? null : `txn:${d.charge_transaction_id}`;
    }
  }

  /** The keys of the records an applied event stores, which held events may be waiting for. */
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

  function apply(event: ParsedEvent): 'applied' | 'no_effect' {
    switch (event.type) {
      case 'customer.upserted': {
        const d = event.data as IngestData<'customer.upserted'>;
        repo.upsertCustomer({ id: d.id, name: d.name, email: d.email, plan: d.plan, time_zone: d.time_zone ?? null, created_at: event.occurredAt, source_at: sourceAt(event) });
        return 'applied';
      }
      case 'chat.created': {
        const d = event.data as IngestData<'chat.created'>;
        const problem = chatClaimProblem(d.id, repo.chatOwner(d.id), d.customer_id);
        if (problem) throw new EventRejected(problem);
        repo.upsertChat({ id: d.id, customer_id: d.customer_id, title: d.title ?? null, created_at: d.created_at, source_at: sourceAt(event) });
        return 'applied';
      }
      case 'generation.started': {
        const d = event.data as IngestData<'generation.started'>;
        const problem = runStartProblem(d, repo.chatOwner(d.chat_id), repo.generationOwner(d.id));
        if (problem) throw new EventRejected(problem);
        repo.startGeneration({
          id: d.id, chat_id: d.chat_id, customer_id: d.customer_id, tool: d.tool, model: d.model ?? null, prompt: d.prompt ?? null,
          started_at: d.started_at, source_at: sourceAt(event),
        });
        return 'applied';
      }
      case 'generation.succeeded':
      case 'generation.failed': {
        const d = event.data as IngestData<'generation.failed'> | IngestData<'generation.succeeded'>;
        const failed = event.type === 'generation.failed' ? (d as IngestData<'generation.failed'>) : null;
        repo.finishGeneration({
          id: d.id, status: failed ? 'failed' : 'succeeded', finished_at: d.finished_at,
          error_code: failed?.error_code ?? null, error_message: failed?.error_message ?? null, status_at: sourceAt(event),
        });
        return 'applied';
      }
      case 'asset.created': {
        const d = event.data as IngestData<'asset.created'>;
        const run = repo.generationOwner(d.generation_id);
        if (!run) throw new EventRejected(`run ${d.generation_id} does not exist`);
        repo.insertAsset({
          id: d.id, generation_id: d.generation_id, customer_id: run.customer_id, kind: d.kind, mime: d.mime, url: d.url,
          thumbnail_url: d.thumbnail_url ?? null, width: d.width ?? null, height: d.height ?? null, duration_ms: d.duration_ms ?? null,
          bytes: d.bytes ?? null, created_at: d.created_at,
        });
        return 'applied';
      }
      case 'tokens.charged': {
        const d = event.data as IngestData<'tokens.charged'>;
        if (ledger.byId(d.transaction_id)) return 'no_effect';
        const run = repo.generationOwner(d.generation_id);
        if (!run) throw new EventRejected(`run ${d.generation_id} does not exist`);
        const problem = chargeProblem(d, run, ledger.forGeneration(d.generation_id).find((entry) => entry.kind === 'charge')?.id);
        if (problem) throw new EventRejected(problem);
        ledger.post({
          id: d.transaction_id, customerId: d.customer_id, kind: 'charge', amount: -d.amount, createdAt: d.created_at,
          generationId: d.generation_id, chatId: run.chat_id, tool: run.tool,
        });
        return 'applied';
      }
      case 'tokens.refunded': {
        const d = event.data as IngestData<'tokens.refunded'>;
        if (ledger.byId(d.transaction_id)) return 'no_effect';
        const charge = ledger.byId(d.charge_transaction_id);
        if (!charge) throw new EventRejected(`transaction ${d.charge_transaction_id} is not a charge`);
        const problem = refundProblem(d, charge);
        if (problem) throw new EventRejected(problem);
        // A second refund of one charge is a redelivery under another id: no second refund.
        if (ledger.reversalOf(charge.id)) return 'no_effect';
        if (charge.generation_id) reversals.undoForLateRefund(charge.generation_id, d.transaction_id);
        ledger.post({
          id: d.transaction_id, customerId: d.customer_id, kind: 'auto_refund', amount: d.amount, createdAt: d.created_at,
          generationId: charge.generation_id, chatId: charge.chat_id, tool: charge.tool, reversesId: charge.id,
        });
        return 'applied';
      }
      case 'tokens.purchased':
      case 'tokens.plan_granted': {
        const d = event.data as IngestData<'tokens.purchased'>;
        if (ledger.byId(d.transaction_id)) return 'no_effect';
        ledger.post({
          id: d.transaction_id, customerId: d.customer_id, kind: event.type === 'tokens.purchased' ? 'purchase' : 'plan_grant',
          amount: d.amount, createdAt: d.created_at,
        });
        return 'applied';
      }
      case 'tokens.credit_applied':
      case 'tokens.credit_voided': {
        const d = event.data as IngestData<'tokens.credit_applied'>;
        const type = event.type === 'tokens.credit_applied' ? 'credit.applied' : 'credit.voided';
        try {
          // A repeated echo under another event id confirms nothing new.
          return delivery.confirmEcho({ type, ...d }) ? 'applied' : 'no_effect';
        } catch (error) {
          if (error instanceof EchoMismatch) throw new EventRejected(error.message);
          throw error;
        }
      }
    }
  }

  interface BatchStats {
    held: number;
    released: number;
    failedLate: number;
    /** Held events when the batch began; counted at its first event that needs holding. */
    heldBefore?: number;
  }

  /** Held events now: counted once per batch (the batch's transaction keeps other writers out), then followed. */
  function heldNow(stats: BatchStats): number {
    stats.heldBefore ??= repo.heldCount();
    return stats.heldBefore + stats.held - stats.released;
  }

  function rejectPastLimit(waitsFor: string): never {
    const parent = parentInWords(waitsFor);
    throw new EventRejected(
      `${parent} is not stored yet, and ${heldEventLimit.toLocaleString('en-US')} events already wait for their parent records (the most Token Desk holds): send ${parent} first, then this event again`,
    );
  }

  /**
   * Applies the event, or holds it until its parent arrives. `arrival` is
   * `released` for an event taken out of ingest_held a moment ago: holding it
   * again takes back its own place, so only a `new` event meets the limit.
   */
  function applyOrHold(event: ParsedEvent, receivedAt: string, stats: BatchStats, arrival: 'new' | 'released'): Outcome {
    const waitsFor = missingParent(event);
    if (waitsFor) {
      if (arrival === 'new' && heldNow(stats) >= heldEventLimit) rejectPastLimit(waitsFor);
      repo.hold({ event_id: event.id, waits_for: waitsFor, type: event.type, occurred_at: event.occurredAt, payload: JSON.stringify(event.data), received_at: receivedAt });
      stats.held++;
      return 'held';
    }
    const outcome = apply(event);
    repo.markProcessed({ id: event.id, type: event.type, occurred_at: event.occurredAt, received_at: receivedAt, outcome, note: null });
    const key = createdKey(event);
    if (key && outcome === 'applied') releaseWaiting(key, stats);
    return outcome;
  }

  /** Applies the events that were waiting for `key`, now that it is stored. */
  function releaseWaiting(key: string, stats: BatchStats): void {
    for (const held of repo.waitingFor(key)) {
      repo.release(held.event_id);
      stats.released++;
      const event = parseHeld(held);
      try {
        db.transaction(() => applyOrHold(event, held.received_at, stats, 'released'))();
      } catch (error) {
        if (!(error instanceof EventRejected)) throw error;
        // It was acknowledged when held; remember why it could not be applied.
        stats.failedLate++;
        repo.markProcessed({ id: held.event_id, type: held.type, occurred_at: held.occurred_at, received_at: held.received_at, outcome: 'failed', note: error.message });
      }
    }
  }

  function parseHeld(held: HeldEventRow): ParsedEvent {
    const type = held.type as IngestEventType;
    return { id: held.event_id, type, occurredAt: held.occurred_at, data: ingestDataSchemas[type].parse(JSON.parse(held.payload)) };
  }

  /** One batch, one transaction, one audit event. */
  function ingest(rawEvents: readonly unknown[], origin?: RequestOrigin): IngestResult {
    return db
      .transaction(() => {
        const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
        const stats: BatchStats = { held: 0, released: 0, failedLate: 0 };
        const receivedAt = isoNow(clock);
        rawEvents.forEach((raw, index) => {
          const envelope = ingestEventEnvelopeSchema.safeParse(raw);
          if (!envelope.success) {
            result.rejected.push({ id: idOf(raw), error: `events[${index}]: ${describeIssues(envelope.error, '')}` });
            return;
          }
          const { id, type, occurred_at: occurredAt } = envelope.data;
          if (repo.isProcessed(id) || repo.isHeld(id)) {
            result.duplicates++;
            return;
          }
          const data = ingestDataSchemas[type].safeParse(envelope.data.data);
          if (!data.success) {
            result.rejected.push({ id, error: describeIssues(data.error, 'data') });
            return;
          }
          try {
            const outcome = db.transaction(() => applyOrHold({ id, type, occurredAt, data: data.data } as ParsedEvent, receivedAt, stats, 'new'))();
            if (outcome === 'no_effect') result.duplicates++;
            else result.accepted++;
          } catch (error) {
            if (!(error instanceof EventRejected)) throw error;
            result.rejected.push({ id, error: error.message });
          }
        });
        audit.record({
          actor: { type: 'ingest' }, action: 'ingest.batch', entityType: 'ingest_batch', entityId: origin?.requestId ?? null,
          after: {
            events: rawEvents.length, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected.length,
            held: stats.held, released: stats.released, failed_late: stats.failedLate,
          },
          origin,
        });
        return result;
      })
      .immediate();
  }

  /** The backlog of held events for a lead's report: how many, the limit, and the one waiting longest. */
  function heldReport(): HeldIngestReport {
    const oldest = repo.oldestHeld();
    return {
      held: repo.heldCount(),
      limit: heldEventLimit,
      oldest: oldest
        ? { event_id: oldest.event_id, type: oldest.type, waits_for: parentOf(oldest.waits_for), occurred_at: oldest.occurred_at, received_at: oldest.received_at }
        : null,
    };
  }

  return { ingest, heldReport };
}
export type IngestService = ReturnType<typeof createIngestService>;
