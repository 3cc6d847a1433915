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

describe("another process's write lock on SQLite", () => {
  let dir: string;
  let path: string;
  let other: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'td-storage-'));
    path = join(dir, 'desk.db');
    other = openDatabase(path);
    other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is waited for without blocking the event loop, and the transaction commits once it is released', async () => {
    const storage = createSqliteStorage(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const written = storage.transaction((tx) => tx.run("INSERT INTO notes (text) VALUES ('after the lock')"));
      // A timer due in 30 ms fires on time: the waiting transaction does not hold the thread.
      const timerLate = await new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - started - 30), 30));
      expect(timerLate).toBeLessThan(100);
      setTimeout(() => other.exec('COMMIT'), 300);
      await written;
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(await storage.all('SELECT text FROM notes')).toEqual([{ text: 'after the lock' }]);
    } finally {
      await storage.close();
    }
  });

  it('is refused as busy once the wait is over, writing nothing', async () => {
    const storage = createSqliteStorage(path, { busyWaitMs: 200 });
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      await expect(storage.transaction((tx) => tx.run("INSERT INTO notes (text) VALUES ('never')"))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(performance.now() - started).toBeLessThan(1000);
      other.exec('COMMIT');
      expect(await storage.all('SELECT text FROM notes')).toEqual([]);
      // The connection is left as it was: the next transaction goes through.
      await storage.transaction((tx) => tx.run("INSERT INTO notes (text) VALUES ('next')"));
      expect(await storage.all('SELECT text FROM notes')).toEqual([{ text: 'next' }]);
    } finally {
      await storage.close();
    }
  });

  it('lets each transaction wait at most the busy wait from its own arrival, and one asked meanwhile joins the wait', async () => {
    const storage = createSqliteStorage(path, { busyWaitMs: 1000 });
    const outcome = (text: string) => {
      const asked = performance.now();
      return storage.transaction((tx) => tx.run('INSERT INTO notes (text) VALUES (?)', [text])).then(
        () => ({ text, outcome: 'written', ms: performance.now() - asked }),
        (error: { code?: string }) => ({ text, outcome: error.code, ms: performance.now() - asked }),
      );
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      other.exec('BEGIN IMMEDIATE');
      const first = outcome('first');
      await pause(500);
      const second = outcome('second');
      await pause(700);
      const third = outcome('third');
      await pause(600);
      other.exec('COMMIT');
      const [a, b, c] = await Promise.all([first, second, third]);
      // Each refused after its own second of waiting, not after the waits of those before it.
      expect([a.outcome, b.outcome]).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
      expect(Math.max(a.ms, b.ms)).toBeLessThan(1300);
      // The third arrived while the lock was awaited and was written as soon as it came free.
      expect(c).toMatchObject({ outcome: 'written' });
      expect(c.ms).toBeLessThan(1000);
      expect(await storage.all('SELECT text FROM notes')).toEqual([{ text: 'third' }]);
    } finally {
      await storage.close();
    }
  });
});
