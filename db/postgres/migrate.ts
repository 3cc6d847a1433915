import { join } from 'node:path';
import type pg from 'pg';
import { listMigrations, migrationsDir, type Migration } from '../migrate.ts';

/**
 * db/migrations/postgres: the same versions and names as db/migrations, for
 * PostgreSQL. Found from db/migrations, so from the compiled server too.
 */
export const postgresMigrationsDir = join(migrationsDir, 'postgres');

/**
 * The advisory lock key held while a migration is applied (an arbitrary
 * constant; docs/postgres.md lists the keys Token Desk uses). Advisory locks
 * are per database, so databases of one cluster migrate independently.
 */
export const MIGRATION_LOCK_KEY = 7_415_012_001;

/**
 * Applies every migration of db/migrations/postgres not yet recorded in
 * schema_migrations, each in its own transaction together with its record, so
 * a failed migration leaves nothing behind. Returns the versions applied.
 *
 * Several instances may start at once: each migration's transaction first
 * takes a transaction-scoped advisory lock and checks again whether the
 * version is recorded, so each migration is applied exactly once and the
 * instances that waited find it done. A database already up to date costs
 * one query and takes no lock.
 */
export async function migratePostgres(pool: pg.Pool, migrations: Migration[] = listMigrations(postgresMigrationsDir)): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await ensureMigrationsTable(client);
    const recorded = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (recorded.has(migration.version)) continue;
      if (await applyOnce(client, migration)) done.push(migration.version);
    }
    return done;
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // A connection whose transaction failed half-way is not handed back for reuse.
    client.release(broken);
  }
}

/**
 * SQLite's table of applied migrations, with the same columns. The console's
 * own role may lack CREATE on the schema (docs/postgres.md), so the table is
 * created only when it is missing, under the lock, by whoever migrates first.
 */
async function ensureMigrationsTable(client: pg.PoolClient): Promise<void> {
  const exists = await client.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (exists.rows[0].present) return;
  try {
    await inLockedTransaction(client, async () => {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text COLLATE "C" NOT NULL, applied_at text COLLATE "C" NOT NULL)`);
    });
  } catch (error) {
    throw new Error(`PostgreSQL migrations could not start: ${(error as Error).message}${ownerHint(error)}`, { cause: error });
  }
}

/** A permission error while migrating most likely means the console's own role is migrating. */
function ownerHint(error: unknown): string {
  return (error as { code?: string }).code === '42501'
    ? ' (migrations need the role that owns the schema; the console\'s own role may not change it: docs/postgres.md)'
    : '';
}

async function applyOnce(client: pg.PoolClient, migration: Migration): Promise<boolean> {
  try {
    return await inLockedTransaction(client, async () => {
      const again = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (again.rowCount) return false;
      // One query, simple protocol: a migration is several statements.
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version, migration.name, new Date().toISOString(),
      ]);
      return true;
    });
  } catch (error) {
    throw new Error(`PostgreSQL migration ${String(migration.version).padStart(3, '0')}_${migration.name} failed: ${(error as Error).message}${ownerHint(error)}`, { cause: error });
  }
}

async function inLockedTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    // A migration may wait for another instance's migration and may run long
    // (an index over a big table): the pool's lock and statement timeouts are
    // for requests, not for this.
    await client.query("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0");
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
