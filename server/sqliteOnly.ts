import type { Db } from '../db/connection.ts';

/**
 * A synchronous twin built on SQLite's connection only when first used: the SQLite history import
 * runs a chunk in one synchronous `BEGIN IMMEDIATE` and sends a few events through these twins
 * (docs/postgres.md, "The storage seam"). On PostgreSQL there is no such connection (`db` is null)
 * and using one is a programming error, said at once.
 */
export function sqliteOnly<T>(db: Db | null, what: string, make: (db: Db) => T): () => T {
  let made: T | undefined;
  return () => {
    if (!db) throw new Error(`${what} is synchronous and runs on SQLite only`);
    made ??= make(db);
    return made;
  };
}
