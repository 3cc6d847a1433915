import type { Queryable, Transaction } from '../storage/types.ts';

export interface ThrottleCount {
  hits: number;
  reset_at: string;
}

// A window that has ended starts again at one hit; ISO strings of one format compare as times.
// The upsert is one statement on both engines, so concurrent failures of one key never lose a hit.
const sql = {
  increment: `INSERT INTO throttle_counters (key, hits, reset_at) VALUES (@key, 1, @reset_at)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN throttle_counters.reset_at <= @now THEN 1 ELSE throttle_counters.hits + 1 END,
       reset_at = CASE WHEN throttle_counters.reset_at <= @now THEN @reset_at ELSE throttle_counters.reset_at END
     RETURNING hits, reset_at`,
  decrement: 'UPDATE throttle_counters SET hits = hits - 1 WHERE key = ? AND hits > 0 AND reset_at > ?',
  current: 'SELECT hits, reset_at FROM throttle_counters WHERE key = ? AND reset_at > ?',
  reset: 'DELETE FROM throttle_counters WHERE key = ?',
  sweep: 'DELETE FROM throttle_counters WHERE reset_at <= ?',
};

/** The sign-in throttle's counters (db/migrations/007_throttle_counters.sql) through the storage seam. Times are ISO strings. */
export const throttleRepository = {
  increment: async (tx: Transaction, key: string, now: string, resetAt: string): Promise<ThrottleCount> => {
    const row = await tx.get<ThrottleCount>(sql.increment, { key, now, reset_at: resetAt });
    if (!row) throw new Error('the throttle counter was not written');
    return row;
  },
  decrement: async (tx: Transaction, key: string, now: string): Promise<void> => {
    await tx.run(sql.decrement, [key, now]);
  },
  current: (q: Queryable, key: string, now: string): Promise<ThrottleCount | undefined> => q.get(sql.current, [key, now]),
  reset: async (tx: Transaction, key: string): Promise<void> => {
    await tx.run(sql.reset, [key]);
  },
  /** Forgets the windows that ended before `now`. */
  sweep: async (tx: Transaction, now: string): Promise<number> => (await tx.run(sql.sweep, [now])).changes,
};
