import type { Db } from '../connection.ts';
import type { Queryable, Snapshot, Transaction } from '../storage/types.ts';

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

const chainColumns = `seq, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
  before_json, after_json, reason, request_id, client_ip, prev_hash, hash`;

const sql = {
  last: 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
  insert: `INSERT INTO audit_events
    (seq, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
     before_json, after_json, reason, request_id, client_ip, prev_hash, hash)
    VALUES (@seq, @at, @actor_type, @actor_id, @actor_name, @action, @entity_type, @entity_id, @customer_id,
     @before_json, @after_json, @reason, @request_id, @client_ip, @prev_hash, @hash)`,
  // PostgreSQL: a change's events chained and written under the chain's lock, held to the end of
  // the transaction, in one round trip (migration 009). SQLite needs no lock: its one writer already
  // appends one transaction after another.
  append: 'SELECT seq, prev_hash, hash FROM audit_append(?::json, ?::text[])',
  // The chain's columns: the order of server/audit/auditChain.ts hashedFields, then the two hashes.
  chain: `SELECT ${chainColumns} FROM audit_events ORDER BY seq`,
  // A seq range of the chain: `(after, upto]`, so ranges laid end to end cover it once.
  chainRange: `SELECT ${chainColumns} FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`,
  atOrBefore: 'SELECT seq, hash FROM audit_events WHERE seq <= ? ORDER BY seq DESC LIMIT 1',
  bounds: 'SELECT count(*) AS count, max(seq) AS max_seq FROM audit_events',
  all: 'SELECT * FROM audit_events ORDER BY seq',
};

/** The audit log through the storage seam (db/storage/types.ts). */
export const auditRepository = {
  /**
   * PostgreSQL: appends `events` in order after the chain's last event, each hashed over its
   * `tails` (auditChain.ts hashedTail), and answers where each went; appends are serialised from
   * here until the transaction ends.
   */
  appendChained: (tx: Transaction, events: readonly Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>[], tails: readonly string[]) =>
    tx.all<Pick<AuditRow, 'seq' | 'prev_hash' | 'hash'>>(sql.append, [JSON.stringify(events), tails]),
  last: (q: Queryable): Promise<Pick<AuditRow, 'seq' | 'hash'> | undefined> => q.get(sql.last),
  insert: async (tx: Transaction, row: AuditRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },

  /** Every event in chain order, streamed (the log can be large). */
  streamChain: (snapshot: Snapshot): AsyncIterable<AuditRow> => snapshot.stream(sql.chain),
  /** The events with `after < seq <= upto`, in chain order. */
  streamChainRange: (snapshot: Snapshot, after: number, upto: number): AsyncIterable<AuditRow> => snapshot.stream(sql.chainRange, [after, upto]),
  /** The last event at or before `seq`: where a range of the chain starting after `seq` picks up. */
  atOrBefore: (q: Queryable, seq: number): Promise<Pick<AuditRow, 'seq' | 'hash'> | undefined> => q.get(sql.atOrBefore, [seq]),
  bounds: async (q: Queryable): Promise<{ count: number; maxSeq: number }> => {
    const row = await q.get<{ count: number; max_seq: number | null }>(sql.bounds);
    return { count: row?.count ?? 0, maxSeq: row?.max_seq ?? 0 };
  },
};

/**
 * The same statements on a better-sqlite3 connection: the synchronous audit.record, and the
 * verifying threads of server/audit/chainVerifier.ts on SQLite, which read raw rows (arrays, no
 * objects built) for speed.
 */
export function createAuditRepository(db: Db) {
  const last = db.prepare<[], Pick<AuditRow, 'seq' | 'hash'>>(sql.last);
  const insert = db.prepare<AuditRow>(sql.insert);
  const all = db.prepare<[], AuditRow>(sql.all);
  const chain = db.prepare<[], unknown[]>(sql.chain).raw();
  const chainRange = db.prepare<[number, number], unknown[]>(sql.chainRange).raw();
  const atOrBefore = db.prepare<[number], Pick<AuditRow, 'seq' | 'hash'>>(sql.atOrBefore);

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
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
