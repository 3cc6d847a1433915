import type { Queryable, Transaction } from '../storage/types.ts';

export interface IdempotencyRow {
  staff_id: string;
  key: string;
  body_hash: string;
  status_code: number;
  response: string;
  created_at: string;
}

const sql = {
  find: 'SELECT * FROM idempotency_keys WHERE staff_id = @staff_id AND key = @key',
  insert: `INSERT INTO idempotency_keys (staff_id, key, body_hash, status_code, response, created_at)
    VALUES (@staff_id, @key, @body_hash, @status_code, @response, @created_at)`,
  purge: 'DELETE FROM idempotency_keys WHERE created_at < ?',
  // A key of its own class (7306002), apart from the audit chain's one-number key (7306001).
  lockKey: "SELECT pg_advisory_xact_lock(7306002, hashtext(@staff_id || ' ' || @key))",
};

/** Idempotency keys of credit requests (docs/api.md), through the storage seam (db/storage/types.ts). */
export const idempotencyRepository = {
  /**
   * Holds one staff member's key until the transaction ends (PostgreSQL; SQLite's one writer needs
   * nothing): the same request sent to two instances is decided once, and the second, reading
   * after the first's COMMIT, finds the key and answers its reply.
   */
  lockKey: async (tx: Transaction, staffId: string, key: string): Promise<void> => {
    if (tx.engine === 'postgres') await tx.get(sql.lockKey, { staff_id: staffId, key });
  },
  find: (q: Queryable, staffId: string, key: string): Promise<IdempotencyRow | undefined> => q.get(sql.find, { staff_id: staffId, key }),
  insert: async (tx: Transaction, row: IdempotencyRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  /** Forgets keys older than `before` (they are kept at least 24 hours). */
  purgeOlderThan: async (tx: Transaction, before: string): Promise<number> => (await tx.run(sql.purge, [before])).changes,
};
