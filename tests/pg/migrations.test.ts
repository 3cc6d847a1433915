import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { listMigrations, migrate } from '../../db/migrate.ts';
import { migratePostgres, postgresMigrationsDir } from '../../db/postgres/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const made: FreshDatabase[] = [];
const emptyDatabase = async (): Promise<FreshDatabase> => {
  const db = await freshDatabase({ migrated: false });
  made.push(db);
  return db;
};
afterAll(async () => {
  for (const db of made.splice(0)) await db.drop();
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'td-pgmig-'));
  dirs.push(dir);
  return dir;
};

const recorded = async (db: FreshDatabase) =>
  (await db.pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;

describe('PostgreSQL migrations', () => {
  it('carry the same versions and names as the SQLite ones', () => {
    const names = (dir?: string) => listMigrations(dir).map(({ version, name }) => ({ version, name }));
    expect(names(postgresMigrationsDir)).toEqual(names());
    expect(names(postgresMigrationsDir).length).toBeGreaterThanOrEqual(5);
  });

  it('apply every migration once, in order, record it, and apply nothing the second time', async () => {
    const db = await emptyDatabase();
    const all = listMigrations(postgresMigrationsDir);
    expect(await migratePostgres(db.pool)).toEqual(all.map((m) => m.version));
    expect(await migratePostgres(db.pool)).toEqual([]);
    expect(await recorded(db)).toEqual(all.map(({ version, name }) => ({ version, name })));
    const [{ applied_at }] = (await db.pool.query<{ applied_at: string }>('SELECT applied_at FROM schema_migrations LIMIT 1')).rows;
    expect(applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('apply each migration exactly once when several instances start together', async () => {
    const db = await emptyDatabase();
    // Four instances, each with its own pool, as four processes would have.
    const pools = Array.from({ length: 4 }, () => openPostgres(db.url, { max: 2 }));
    try {
      const applied = await Promise.all(pools.map((pool) => migratePostgres(pool)));
      const versions = listMigrations(postgresMigrationsDir).map((m) => m.version);
      expect(applied.flat().sort((a, b) => a - b)).toEqual(versions);
      expect((await recorded(db)).map((r) => r.version)).toEqual(versions);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('roll a failing migration back whole and record nothing for it', async () => {
    const db = await emptyDatabase();
    const dir = tempDir();
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE kept (id integer);');
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE half (id integer); THIS IS NOT SQL;');
    await expect(migratePostgres(db.pool, listMigrations(dir))).rejects.toThrow(/migration 002_broken failed: syntax error/);
    const tables = (await db.pool.query<{ t: string | null }>("SELECT to_regclass('kept')::text AS t UNION ALL SELECT to_regclass('half')::text")).rows;
    expect(tables.map((r) => r.t)).toEqual(['kept', null]);
    expect((await recorded(db)).map((r) => r.version)).toEqual([1]);
  });

  it('stop at 005 rather than leave a credit entry without its event (SQLite queues those there; a PostgreSQL database has none yet)', async () => {
    const db = await emptyDatabase();
    const all = listMigrations(postgresMigrationsDir);
    expect(await migratePostgres(db.pool, all.filter((m) => m.version < 5))).toEqual([1, 2, 3, 4]);
    const at = '2026-01-01T00:00:00.000Z';
    await db.pool.query(`INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES ('c', 'C', 'c@x', 'p', '${at}', '${at}');
      INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES ('s', 's@x', 'S', 'agent', '${at}', '${at}');
      INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES ('g', 'c', 5, 'goodwill', 'T', '', '', 's', 'applied', 'k', '${at}');
      INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, credit_id)
        VALUES ('t', 'c', 'manual_credit', 5, 5, '${at}', '${at}', 'g');`);
    await expect(migratePostgres(db.pool, all)).rejects.toThrow(/005_credit_events failed: credit ledger entries exist before credit_events/);
    expect((await recorded(db)).map((r) => r.version)).toEqual([1, 2, 3, 4]);
  });

  it('make the same tables, columns and indexes as SQLite', async () => {
    const sqlite = openDatabase(join(tempDir(), 'schema.db'));
    migrate(sqlite);
    const sqliteTables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const sqliteColumns = Object.fromEntries(sqliteTables.map((table) => [
      table, (sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table) as string[]),
    ]));
    // Indexes SQLite makes for UNIQUE and PRIMARY KEY constraints are named sqlite_autoindex_*.
    const sqliteIndexes = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name").pluck().all();
    sqlite.close();

    const db = await freshDatabase();
    made.push(db);
    const columns = (await db.pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)).rows;
    const pgColumns: Record<string, string[]> = {};
    for (const { table_name, column_name } of columns) (pgColumns[table_name] ??= []).push(column_name);
    expect(Object.keys(pgColumns).sort()).toEqual(sqliteTables);
    expect(pgColumns).toEqual(sqliteColumns);

    // Likewise leaving out the indexes behind constraints; staff_email is
    // SQLite's column constraint `email UNIQUE COLLATE NOCASE`, an expression index here.
    const indexes = (await db.pool.query<{ name: string }>(
      `SELECT i.relname AS name FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY 1`)).rows.map((r) => r.name);
    expect(indexes.filter((name) => name !== 'staff_email')).toEqual(sqliteIndexes);
  });
});
