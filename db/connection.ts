import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const PAGE_CACHE_KIB = 256 * 1024;

/**
 * Opens the SQLite file with the settings every connection must have:
 * WAL for concurrent readers, synchronous=FULL so an acknowledged credit
 * survives power loss (WAL's default NORMAL does not promise that), foreign
 * keys, and a busy timeout so a second process waits instead of failing.
 * The page cache is raised from SQLite's 2 MiB to 256 MiB (taken only as
 * pages are read): at 10 million ledger rows the hot index pages otherwise
 * come back through a system call on every request (BENCHMARKS.md).
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}
