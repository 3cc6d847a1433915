import type { Db } from './connection.ts';

/**
 * A consistent copy of the live database. VACUUM INTO reads one snapshot
 * inside a read transaction, so writers in other connections carry on and
 * the copy holds exactly the commits before it began.
 */
export function backupInto(db: Db, file: string): void {
  db.prepare('VACUUM INTO ?').run(file);
}
