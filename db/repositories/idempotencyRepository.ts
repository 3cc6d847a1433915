import type { Db } from '../connection.ts';

export interface IdempotencyRow {
  staff_id: string;
  key: string;
  body_hash: string;
  status_code: number;
  response: string;
  created_at: string;
}

export function createIdempotencyRepository(db: Db) {
  const find = db.prepare<{ staff_id: string; key: string }, IdempotencyRow>(
    'SELECT * FROM idempotency_keys WHERE staff_id = @staff_id AND key = @key',
  );
  const insert = db.prepare<IdempotencyRow>(`INSERT INTO idempotency_keys (staff_id, key, body_hash, status_code, response, created_at)
    VALUES (@staff_id, @key, @body_hash, @status_code, @response, @created_at)`);
  const purge = db.prepare<[string]>('DELETE FROM idempotency_keys WHERE created_at < ?');
  return {
    find: (staffId: string, key: string): IdempotencyRow | undefined => find.get({ staff_id: staffId, key }),
    insert: (row: IdempotencyRow): void => {
      insert.run(row);
    },
    /** Forgets keys older than `before` (they are kept at least 24 hours). */
    purgeOlderThan: (before: string): number => purge.run(before).changes,
  };
}
