import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connection.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import type { Transaction } from '../../db/storage/types.ts';
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

/**
 * SQLite's group commit (db/storage/sqliteStorage.ts): what the contract cannot ask of PostgreSQL,
 * whose transactions commit one by one.
 */
describe('transactions arriving together on SQLite', () => {
  let dir: string;
  let storage: ReturnType<typeof createSqliteStorage>;
  /** A connection of its own: sees only what is committed. */
  let observer: Db;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'td-storage-'));
    storage = createSqliteStorage(join(dir, 'desk.db'));
    await storage.transaction((tx) => tx.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)'));
    observer = openDatabase(join(dir, 'desk.db'), { readonly: true });
  });
  afterEach(async () => {
    observer.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (text: string) => async (tx: Transaction): Promise<string> => {
    await tx.run('INSERT INTO notes (text) VALUES (?)', [text]);
    return text;
  };
  const committed = (): string[] => observer.prepare<[], { text: string }>('SELECT text FROM notes ORDER BY id').all().map((row) => row.text);

  it('runs the transactions of one turn in one BEGIN … COMMIT, in order, answering each with its own result', async () => {
    const seenUncommitted: string[][] = [];
    const answers = Promise.all([
      storage.transaction(insert('a')),
      storage.transaction(async (tx) => {
        // Work of the same batch: the first insert is there, not yet committed, so no one else sees it.
        seenUncommitted.push(committed());
        return insert('b')(tx);
      }),
      storage.transaction(insert('c')),
    ]);
    expect(committed()).toEqual([]);
    expect(await answers).toEqual(['a', 'b', 'c']);
    expect(seenUncommitted).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b', 'c']);
    expect(storage.writer.inTransaction).toBe(false);
  });

  it('refuses the whole batch, and writes nothing of it, when the transaction ends under it', async () => {
    const results = await Promise.allSettled([
      storage.transaction(insert('a')),
      storage.transaction((tx) => tx.run('ROLLBACK')),
      storage.transaction(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The work after the failure did not run on its own, outside the transaction.
    expect(committed()).toEqual([]);
    expect(storage.writer.inTransaction).toBe(false);
  });
});
