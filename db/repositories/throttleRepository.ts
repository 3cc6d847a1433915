import type { Db } from '../connection.ts';

export interface ThrottleCount {
  hits: number;
  reset_at: string;
}

/** The sign-in throttle's counters (db/migrations/007_throttle_counters.sql). Times are ISO strings. */
export function createThrottleRepository(db: Db) {
  // A window that has ended starts again at one hit; ISO strings of one format compare as times.
  const increment = db.prepare<{ key: string; now: string; reset_at: string }, ThrottleCount>(
    `INSERT INTO throttle_counters (key, hits, reset_at) VALUES (@key, 1, @reset_at)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN throttle_counters.reset_at <= @now THEN 1 ELSE throttle_counters.hits + 1 END,
       reset_at = CASE WHEN throttle_counters.reset_at <= @now THEN @reset_at ELSE throttle_counters.reset_at END
     RETURNING hits, reset_at`,
  );
  const decrement = db.prepare<[string, string]>('UPDATE throttle_counters SET hits = hits - 1 WHERE key = ? AND hits > 0 AND reset_at > ?');
  const current = db.prepare<[string, string], ThrottleCount>('SELECT hits, reset_at FROM throttle_counters WHERE key = ? AND reset_at > ?');
  const reset = db.prepare<[string]>('DELETE FROM throttle_counters WHERE key = ?');
  const sweep = db.prepare<[string]>('DELETE FROM throttle_counters WHERE reset_at <= ?');
  return {
    increment: (key: string, now: string, resetAt: string): ThrottleCount => {
      const row = increment.get({ key, now, reset_at: resetAt });
      if (!row) throw new Error('the throttle counter was not written');
      return row;
    },
    decrement: (key: string, now: string): void => {
      decrement.run(key, now);
    },
    current: (key: string, now: string): ThrottleCount | undefined => current.get(key, now),
    reset: (key: string): void => {
      reset.run(key);
    },
    /** Forgets the windows that ended before `now`. */
    sweep: (now: string): number => sweep.run(now).changes,
  };
}
export type ThrottleRepository = ReturnType<typeof createThrottleRepository>;
