import type { Db } from '../../db/connection.ts';
import { auditRepository, createAuditRepository, type AuditRow } from '../../db/repositories/auditRepository.ts';
import type { Transaction } from '../../db/storage/types.ts';
import { isoNow, type Clock } from '../clock.ts';
import { sqliteOnly } from '../sqliteOnly.ts';
import { canonicalJson, GENESIS_HASH, hashAuditEvent, hashedTail } from './auditChain.ts';

export type Actor =
  | { type: 'staff'; id: string; name: string }
  | { type: 'system' }
  | { type: 'ingest' }
  | { type: 'anonymous'; id: string };

/** Where a change came from: the request's id and client address, when there is a request. */
export interface RequestOrigin {
  requestId: string | null;
  clientIp: string | null;
}

export const noOrigin: RequestOrigin = { requestId: null, clientIp: null };

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | null;
  customerId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  origin?: RequestOrigin;
}

type EventFields = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** The event that follows `last` in the chain, hashed. */
function chainedRow(last: Pick<AuditRow, 'seq' | 'hash'> | undefined, input: AuditInput, at: string): AuditRow {
  const unhashed: Omit<AuditRow, 'hash'> = { seq: (last?.seq ?? 0) + 1, ...eventFields(input, at), prev_hash: last?.hash ?? GENESIS_HASH };
  return { ...unhashed, hash: hashAuditEvent(unhashed) };
}

/** What an event records, before the chain gives it its place. */
function eventFields(input: AuditInput, at: string): EventFields {
  const { actor } = input;
  return {
    at,
    actor_type: actor.type,
    actor_id: actor.type === 'staff' || actor.type === 'anonymous' ? actor.id : actor.type,
    actor_name: actor.type === 'staff' ? actor.name : null,
    action: input.action,
    entity_type: input.entityType,
    entity_id: input.entityId ?? null,
    customer_id: input.customerId ?? null,
    before_json: input.before === undefined ? null : canonicalJson(input.before),
    after_json: input.after === undefined ? null : canonicalJson(input.after),
    reason: input.reason ?? null,
    request_id: input.origin?.requestId ?? null,
    client_ip: input.origin?.clientIp ?? null,
  };
}

export function createAuditLog(db: Db | null, clock: Clock) {
  const repo = sqliteOnly(db, 'audit.record', createAuditRepository);

  /**
   * Appends one chained event. Must run inside the caller's write transaction
   * (invariant 5: the event commits with the change, or neither does).
   */
  function record(input: AuditInput): AuditRow {
    const events = repo();
    if (!db?.inTransaction) throw new Error('audit events are written inside the transaction of their change');
    const row = chainedRow(events.last(), input, isoNow(clock));
    events.insert(row);
    return row;
  }

  const { append, appendAll } = createAuditAppender(clock);
  return { record, append, appendAll };
}

/**
 * `record` through the storage seam: `append(tx, input)` writes in the transaction `tx` of the
 * change. The chain's next seq is taken under the audit chain's lock (the last in the lock order,
 * docs/postgres.md), so concurrent writers on PostgreSQL append one after another, gap-free.
 */
export function createAuditAppender(clock: Clock) {
  /**
   * The events of one change, chained one after the other and written together. Called as the
   * change's last write, it holds the chain's lock only from there to the COMMIT: on PostgreSQL
   * every writer of the console queues on that lock, so the shorter the better. On PostgreSQL the
   * database chains them (audit_append, migration 009), in the same call that writes the day totals
   * the transaction deferred — those come before the chain in the lock order.
   */
  async function appendAll(tx: Transaction, inputs: readonly AuditInput[]): Promise<AuditRow[]> {
    const at = isoNow(clock);
    if (tx.engine === 'postgres') {
      // One round trip (migration 009): the day totals still deferred, the lock, the tail and the inserts.
      const events = inputs.map((input) => eventFields(input, at));
      const placed = await auditRepository.appendChained(tx, events, events.map(hashedTail));
      return events.map((event, i) => ({ seq: placed[i].seq, ...event, prev_hash: placed[i].prev_hash, hash: placed[i].hash }));
    }
    let last: Pick<AuditRow, 'seq' | 'hash'> | undefined = await auditRepository.last(tx);
    const rows = inputs.map((input) => {
      const row = chainedRow(last, input, at);
      last = row;
      return row;
    });
    for (const row of rows) await auditRepository.insert(tx, row);
    return rows;
  }

  return {
    async append(tx: Transaction, input: AuditInput): Promise<AuditRow> {
      const [row] = await appendAll(tx, [input]);
      return row;
    },
    appendAll,
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
