import type pg from 'pg';
import { openDatabase, type Db } from './connection.ts';
import { migrate } from './migrate.ts';
import { migratePostgres } from './postgres/migrate.ts';
import { openPostgres } from './postgres/pool.ts';
import { createPostgresStorage } from './storage/postgresStorage.ts';
import { createSqliteStorage } from './storage/sqliteStorage.ts';
import type { Storage } from './storage/types.ts';

/** Where the console keeps its data: PostgreSQL when `url` is set (DATABASE_URL), else the SQLite file at `path`. */
export interface DatabaseLocation {
  path: string;
  url: string | null;
}

interface Opened {
  storage: Storage;
  /** The migrations this opening applied (none when the database was up to date). */
  applied: number[];
  /** Closes every connection; the storage's queued transactions finish first. */
  close(): Promise<void>;
}

/**
 * An opened database, with what only one engine has: SQLite's writing connection (online backup,
 * the bulk history import) or PostgreSQL's pool.
 */
export type OpenedDatabase = (Opened & { engine: 'sqlite'; db: Db; path: string }) | (Opened & { engine: 'postgres'; pool: pg.Pool });

/**
 * Opens the configured database for the server or a command-line tool and migrates it (on
 * PostgreSQL under an advisory lock, so instances starting together apply each migration once).
 */
export async function openConfiguredDatabase(location: DatabaseLocation, options: { applicationName?: string } = {}): Promise<OpenedDatabase> {
  if (location.url) {
    const pool = openPostgres(location.url, { applicationName: options.applicationName });
    try {
      const applied = await migratePostgres(pool);
      const storage = createPostgresStorage(pool);
      return { engine: 'postgres', pool, storage, applied, close: () => storage.close() };
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  const db = openDatabase(location.path);
  const applied = migrate(db);
  const storage = createSqliteStorage(location.path, { writer: db });
  return {
    engine: 'sqlite', db, path: location.path, storage, applied,
    async close() {
      await storage.close();
      db.close();
    },
  };
}

/**
 * A SQLite connection already open and migrated, as an opened database (tests and the benchmark
 * open their own files); its storage writes on that connection. close() leaves the connection open.
 */
export function sqliteDatabase(db: Db, path: string = db.name): OpenedDatabase {
  const storage = createSqliteStorage(path, { writer: db });
  return { engine: 'sqlite', db, path, storage, applied: [], close: () => storage.close() };
}

/**
 * A PostgreSQL pool already migrated, as an opened database (tests open their own databases); its
 * storage runs on that pool, and close() ends it.
 */
export function postgresDatabase(pool: pg.Pool): OpenedDatabase {
  const storage = createPostgresStorage(pool);
  return { engine: 'postgres', pool, storage, applied: [], close: () => storage.close() };
}
