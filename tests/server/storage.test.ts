import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import { storageContract } from '../support/storageContract.ts';

describe('the storage seam on SQLite', () => {
  storageContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-storage-'));
    const storage = createSqliteStorage(join(dir, 'desk.db'));
    return {
      storage,
      async dispose() {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
