import { describe, expect, it } from 'vitest';
import { listMigrations } from '../../db/migrate.ts';
import { openConfiguredDatabase } from '../../db/openStorage.ts';
import { postgresMigrationsDir } from '../../db/postgres/migrate.ts';
import { freshDatabase } from '../support/postgres.ts';

describe('opening the configured database (PostgreSQL: DATABASE_URL)', () => {
  it('migrates an empty database once, whatever DATABASE_PATH says, and its storage reads what it wrote', async () => {
    const database = await freshDatabase({ migrated: false });
    try {
      const location = { path: '/nonexistent/never-created.db', url: database.url };
      const first = await openConfiguredDatabase(location);
      expect(first.engine).toBe('postgres');
      expect(first.applied).toEqual(listMigrations(postgresMigrationsDir).map((m) => m.version));
      await first.storage.transaction((tx) => tx.run("INSERT INTO throttle_counters (key, hits, reset_at) VALUES ('k', 2, '2026-12-05T00:00:00.000Z')"));
      expect(await first.storage.get('SELECT hits FROM throttle_counters WHERE key = ?', ['k'])).toEqual({ hits: 2 });
      await first.close();

      const again = await openConfiguredDatabase(location);
      expect(again.applied).toEqual([]);
      await again.close();
    } finally {
      await database.drop();
    }
  });
});
