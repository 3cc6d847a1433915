import { describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { toApiError } from '../../server/errors.ts';
import { freshDatabase } from '../support/postgres.ts';
import { storageContract } from '../support/storageContract.ts';

describe('the storage seam on PostgreSQL', () => {
  storageContract(async () => {
    const database = await freshDatabase({ migrated: false });
    const storage = createPostgresStorage(database.pool);
    return { storage, dispose: () => database.drop() };
  });
});

describe('errors PostgreSQL answers, as the API tells them', () => {
  it('a lock not granted in time is a 503 with Retry-After; a refused row is a 409', async () => {
    const database = await freshDatabase({ migrated: false });
    const storage = createPostgresStorage(database.pool);
    try {
      await storage.transaction((tx) => tx.run('CREATE TABLE held (id TEXT PRIMARY KEY, n INTEGER CHECK (n >= 0))'));
      await storage.transaction((tx) => tx.run("INSERT INTO held VALUES ('a', 1)"));
      let release = () => {};
      const holding = storage.transaction(async (tx) => {
        await tx.run("UPDATE held SET n = 2 WHERE id = 'a'");
        await new Promise<void>((resolve) => (release = resolve));
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const waiting = storage
        .transaction(async (tx) => {
          await tx.run("SET LOCAL lock_timeout = '200ms'");
          await tx.run("UPDATE held SET n = 3 WHERE id = 'a'");
        })
        .catch((error: unknown) => error);
      const busy = toApiError(await waiting);
      release();
      await holding;
      expect(busy.status).toBe(503);
      expect(busy.headers).toEqual({ 'Retry-After': '1' });

      const refused = await storage.transaction((tx) => tx.run("UPDATE held SET n = -1 WHERE id = 'a'")).catch((error: unknown) => error);
      expect(toApiError(refused)).toMatchObject({ status: 409, body: { code: 'constraint_violation' } });
    } finally {
      await database.drop();
    }
  });

  it('a connection the server ends inside a transaction is a 503, the process carries on, and the next transaction works', async () => {
    const database = await freshDatabase({ migrated: false });
    const storage = createPostgresStorage(database.pool);
    try {
      await storage.transaction((tx) => tx.run('CREATE TABLE held (id TEXT PRIMARY KEY)'));
      const ended = await storage
        .transaction(async (tx) => {
          await tx.run("INSERT INTO held VALUES ('a')");
          // As idle_in_transaction_session_timeout ends the connection of a paused instance.
          await database.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = $1', ['idle in transaction']);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await tx.run("INSERT INTO held VALUES ('b')");
        })
        .catch((error: unknown) => error);
      expect(toApiError(ended)).toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
      await storage.transaction((tx) => tx.run("INSERT INTO held VALUES ('c')"));
      expect(await storage.all('SELECT id FROM held ORDER BY id')).toEqual([{ id: 'c' }]);
    } finally {
      await database.drop();
    }
  });
});
