import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export interface AuditRow {
  seq: number;
  at: string;
  actor_type: 'staff' | 'system' | 'ingest' | 'anonymous';
  actor_id: string;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  customer_id: string | null;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
  request_id: string | null;
  client_ip: string | null;
  prev_hash: string;
  hash: string;
}

const sql = {
  last: 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
  insert: `INSERT INTO audit_events
    (seq, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
     before_json, after_json, reason, request_id, client_ip, prev_hash, hash)
    VALUES (@seq, @at, @actor_type, @actor_id, @actor_name, @action, @entity_type, @entity_id, @customer_id,
     @before_json, @after_json, @reason, @request_id, @client_ip, @prev_hash, @hash)`,
  // One key for the whole chain, held to the end of the transaction. SQLite needs none: its one
  // writer already appends one transaction after another.
  lockChain: 'SELECT pg_advisory_xact_lock(7306001)',
};

/** The audit log through the storage seam (db/storage/types.ts). */
export const auditRepository = {
  /** Serialises appends to the chain until the transaction ends (PostgreSQL; nothing to do on SQLite). */
  lockChain: async (tx: Transaction): Promise<void> => {
    if (tx.engine === 'postgres') await tx.get(sql.lockChain);
  },
  last: (q: Queryable): Promise<Pick<AuditRow, 'seq' | 'hash'> | undefined> => q.get(sql.last),
  insert: async (tx: Transaction, row: AuditRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },
};

export function createAuditRepository(db: Db) {
  const last = db.prepare<[], Pick<AuditRow, 'seq' | 'hash'>>(sql.last);
  const insert = db.prepare<AuditRow>(sql.insert);
  const all = db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY seq');
  // The order of server/audit/auditChain.ts hashedFields, then the two hashes; raw rows skip building objects.
  const chain = db
    .prepare<[], unknown[]>(`SELECT seq, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
      before_json, after_json, reason, request_id, client_ip, prev_hash, hash FROM audit_events ORDER BY seq`)
    .raw();
  // A seq range of the chain, in the same shape: `(after, upto]`, so ranges laid end to end cover it once.
  const chainRange = db
    .prepare<[number, number], unknown[]>(`SELECT seq, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
      before_json, after_json, reason, request_id, client_ip, prev_hash, hash FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`)
    .raw();
  const atOrBefore = db.prepare<[number], Pick<AuditRow, 'seq' | 'hash'>>(
    'SELECT seq, hash FROM audit_events WHERE seq <= ? ORDER BY seq DESC LIMIT 1',
  );
  const bounds = db.prepare<[], { count: number; max_seq: number | null }>('SELECT count(*) AS count, max(seq) AS max_seq FROM audit_events');
  const forEntity = db.prepare<{ entity_type: string; entity_id: string }, AuditRow>(
    'SELECT * FROM audit_events WHERE entity_type = @entity_type AND entity_id = @entity_id ORDER BY seq',
  );

  return {
    last: (): Pick<AuditRow, 'seq' | 'hash'> | undefined => last.get(),
    insert: (row: AuditRow): void => {
      insert.run(row);
    },
    /** Every event in chain order, streamed (the log can be large). */
    iterateAll: (): IterableIterator<AuditRow> => all.iterate(),
    /** Every event in chain order as `[…hashed fields, prev_hash, hash]` arrays (verification). */
    iterateChain: (): IterableIterator<unknown[]> => chain.iterate(),
    /** The events with `after < seq <= upto`, in chain order, as iterateChain gives them. */
    iterateChainRange: (after: number, upto: number): IterableIterator<unknown[]> => chainRange.iterate(after, upto),
    /** The last event at or before `seq`: where a range of the chain starting after `seq` picks up. */
    atOrBefore: (seq: number): Pick<AuditRow, 'seq' | 'hash'> | undefined => atOrBefore.get(seq),
    bounds: (): { count: number; maxSeq: number } => {
      const row = bounds.get() ?? { count: 0, max_seq: null };
      return { count: row.count, maxSeq: row.max_seq ?? 0 };
    },
    forEntity: (entityType: string, entityId: string): AuditRow[] =>
      forEntity.all({ entity_type: entityType, entity_id: entityId }),
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
