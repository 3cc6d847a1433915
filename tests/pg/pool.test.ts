import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/pool.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase({ migrated: false });
});
afterAll(async () => {
  await db?.drop();
});

const settings = async (pool = db.pool) =>
  (await pool.query(`SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement,
    current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('application_name') AS name`)).rows[0];

describe('openPostgres', () => {
  it('sets the timeouts and the application name on every connection', async () => {
    expect(await settings()).toEqual({ lock: '3s', statement: '30s', idle: '10s', name: 'token-desk' });
    const own = openPostgres(db.url, { lockTimeoutMs: 1_500, statementTimeoutMs: 60_000, idleInTransactionTimeoutMs: 2_000, applicationName: 'token-desk-b' });
    const fromUrl = openPostgres(`${db.url}?application_name=from-url&lock_timeout=250`);
    try {
      expect(await settings(own)).toEqual({ lock: '1500ms', statement: '1min', idle: '2s', name: 'token-desk-b' });
      // What the URL says wins: an operator can tune one deployment without a code change.
      expect(await settings(fromUrl)).toMatchObject({ lock: '250ms', name: 'from-url' });
    } finally {
      await Promise.all([own.end(), fromUrl.end()]);
    }
  });

  it('gives COUNT, SUM and bigint columns as numbers, as SQLite does, and keeps other types as pg gives them', async () => {
    const { rows } = await db.pool.query(`SELECT COUNT(*) AS n, SUM(x) AS total, AVG(x) AS mean, 9007199254740991::bigint AS biggest,
        ARRAY[1, 2, NULL]::bigint[] AS list, ARRAY[1.5, 2]::numeric[] AS decimals, 1.25::numeric AS fraction, '12'::text AS text
       FROM (VALUES (1::bigint), (2), (4)) v (x)`);
    expect(rows[0]).toEqual({ n: 3, total: 7, mean: 7 / 3, biggest: 9007199254740991, list: [1, 2, null], decimals: [1.5, 2], fraction: 1.25, text: '12' });
  });

  it('refuses loudly a whole number a JavaScript number cannot hold exactly', async () => {
    await expect(db.pool.query('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(/9007199254740993, which a JavaScript number cannot hold exactly/);
    await expect(db.pool.query('SELECT SUM(x) FROM (VALUES (9007199254740991::bigint), (2)) v (x)')).rejects.toThrow(RangeError);
    // The pool goes on working after the refusal.
    expect((await db.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('stops a statement waiting on a lock after lock_timeout, instead of hanging', async () => {
    const quick = openPostgres(db.url, { lockTimeoutMs: 200 });
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(42)');
      const started = Date.now();
      await expect(quick.query('SELECT pg_advisory_xact_lock(42)')).rejects.toMatchObject({ code: '55P03' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      await quick.end();
    }
  });
});

describe('prepared statements', () => {
  it('survive a table whose columns changed under them: the connection is dropped and the statement runs again, in a transaction or not', async () => {
    // One connection: the statement is prepared there, and must meet the changed table there.
    const pool = openPostgres(db.url, { max: 1 });
    const storage = createPostgresStorage(pool);
    const read = 'SELECT * FROM prepared_probe WHERE id = ?';
    const prepared = async (): Promise<number> =>
      (await pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM prepared_probe%'")).rows[0].n;
    try {
      await db.pool.query('CREATE TABLE prepared_probe (id integer PRIMARY KEY, name text)');
      await db.pool.query("INSERT INTO prepared_probe VALUES (1, 'one')");
      expect(await storage.get(read, [1])).toEqual({ id: 1, name: 'one' });
      expect(await storage.transaction((tx) => tx.get(read, [1]))).toEqual({ id: 1, name: 'one' });
      expect(await prepared()).toBe(1);
      // Another instance's migration, as a rolling upgrade would run it.
      await db.pool.query("ALTER TABLE prepared_probe ADD COLUMN note text NOT NULL DEFAULT 'new'");
      expect(await storage.transaction((tx) => tx.get(read, [1]))).toEqual({ id: 1, name: 'one', note: 'new' });
      await db.pool.query('ALTER TABLE prepared_probe ADD COLUMN more integer');
      expect(await storage.get(read, [1])).toEqual({ id: 1, name: 'one', note: 'new', more: null });
    } finally {
      await pool.end();
      await db.pool.query('DROP TABLE IF EXISTS prepared_probe');
    }
  });
});
