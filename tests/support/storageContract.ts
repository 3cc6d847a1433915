import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../db/storage/types.ts';

export interface OpenedStorage {
  storage: Storage;
  /** Closes the storage and removes its database. */
  dispose(): Promise<void>;
}

const table = `CREATE TABLE seam_accounts (id TEXT PRIMARY KEY, tokens INTEGER NOT NULL CHECK (tokens >= 0))`;

interface Account {
  id: string;
  tokens: number;
}

/**
 * What the storage seam (db/storage/types.ts) promises, checked the same way on each engine against
 * a real database: the suite of each engine calls this with a function opening a fresh one.
 */
export function storageContract(open: () => Promise<OpenedStorage>): void {
  let opened: OpenedStorage;
  let storage: Storage;

  beforeEach(async () => {
    opened = await open();
    storage = opened.storage;
    await storage.transaction((tx) => tx.run(table));
  });
  afterEach(() => opened.dispose());

  const tokensOf = async (id: string): Promise<number | undefined> =>
    (await storage.get<Account>('SELECT id, tokens FROM seam_accounts WHERE id = ?', [id]))?.tokens;

  describe('statements', () => {
    it('binds positional and named values, and counts the rows a write changed', async () => {
      await storage.transaction(async (tx) => {
        await tx.run('INSERT INTO seam_accounts (id, tokens) VALUES (?, ?)', ['a', 10]);
        await tx.run('INSERT INTO seam_accounts (id, tokens) VALUES (@id, @tokens)', { id: 'b', tokens: 20 });
        expect(await tx.run("UPDATE seam_accounts SET tokens = tokens + @more WHERE id IN (@one, 'it''s ? @not')", { more: 5, one: 'a' })).toEqual({ changes: 1 });
      });

      expect(await storage.all<Account>('SELECT id, tokens FROM seam_accounts ORDER BY id')).toEqual([
        { id: 'a', tokens: 15 },
        { id: 'b', tokens: 20 },
      ]);
      expect(await storage.get<{ total: number }>('SELECT SUM(tokens) AS total FROM seam_accounts')).toEqual({ total: 35 });
      expect(await storage.get('SELECT id FROM seam_accounts WHERE id = ?', ['none'])).toBeUndefined();
    });

    it('takes per-engine text where the dialects differ', async () => {
      const now = await storage.get<{ kind: string }>({ sqlite: "SELECT 'sqlite' AS kind", postgres: "SELECT 'postgres' AS kind" });
      expect(now?.kind).toBe(storage.engine);
    });
  });

  describe('transactions', () => {
    it('commits what resolves and rolls back all of what throws', async () => {
      await storage.transaction((tx) => tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 10]));
      await expect(
        storage.transaction(async (tx) => {
          await tx.run('UPDATE seam_accounts SET tokens = 0 WHERE id = ?', ['a']);
          await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['b', 5]);
          throw new Error('refused by a rule');
        }),
      ).rejects.toThrow('refused by a rule');

      expect(await storage.all('SELECT id, tokens FROM seam_accounts')).toEqual([{ id: 'a', tokens: 10 }]);
    });

    it('passes on what the database refuses, leaving nothing of that transaction', async () => {
      await expect(
        storage.transaction(async (tx) => {
          await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 10]);
          await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['b', -1]);
        }),
      ).rejects.toThrow(/check/i);
      expect(await storage.all('SELECT id FROM seam_accounts')).toEqual([]);
    });

    it('undoes a failed savepoint alone', async () => {
      await storage.transaction(async (tx) => {
        await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 10]);
        await expect(
          tx.savepoint(async (inner) => {
            await inner.run('UPDATE seam_accounts SET tokens = 99 WHERE id = ?', ['a']);
            await inner.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 1]);
          }),
        ).rejects.toThrow();
        await tx.savepoint((inner) => inner.run('INSERT INTO seam_accounts VALUES (?, ?)', ['b', 2]));
      });

      expect(await storage.all('SELECT id, tokens FROM seam_accounts ORDER BY id')).toEqual([
        { id: 'a', tokens: 10 },
        { id: 'b', tokens: 2 },
      ]);
    });

    it('calls afterCommit callbacks once the writes are committed, never for what was rolled back', async () => {
      const seen: string[] = [];
      const note = (label: string) => async () => {
        seen.push(`${label}:${(await tokensOf('a')) ?? 'none'}`);
      };
      await storage.transaction(async (tx) => {
        await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 10]);
        tx.afterCommit(() => void note('committed')());
        await tx.savepoint(async (inner) => {
          inner.afterCommit(() => void note('kept savepoint')());
        });
        await expect(tx.savepoint(async (inner) => {
          inner.afterCommit(() => void note('undone savepoint')());
          throw new Error('refused');
        })).rejects.toThrow('refused');
      });
      await expect(storage.transaction(async (tx) => {
        tx.afterCommit(() => void note('rolled back')());
        throw new Error('refused');
      })).rejects.toThrow('refused');
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Each callback read the committed row through a reader outside the transaction.
      expect(seen).toEqual(['committed:10', 'kept savepoint:10']);
    });

    it('never shows a transaction’s writes to readers outside it before its COMMIT', async () => {
      await storage.transaction((tx) => tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 10]));
      let seenInside: number | undefined;
      let seenOutside: number | undefined;
      await storage.transaction(async (tx) => {
        await tx.run('UPDATE seam_accounts SET tokens = 0 WHERE id = ?', ['a']);
        seenInside = (await tx.get<Account>('SELECT tokens FROM seam_accounts WHERE id = ?', ['a']))?.tokens;
        seenOutside = await tokensOf('a');
      });
      expect(seenInside).toBe(0);
      expect(seenOutside).toBe(10);
      expect(await tokensOf('a')).toBe(0);
    });

    it('applies concurrent read-modify-write transactions one after another, none lost', async () => {
      await storage.transaction((tx) => tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['a', 0]));
      const forUpdate = { sqlite: 'SELECT tokens FROM seam_accounts WHERE id = ?', postgres: 'SELECT tokens FROM seam_accounts WHERE id = ? FOR UPDATE' };
      await Promise.all(
        Array.from({ length: 40 }, () =>
          storage.transaction(async (tx) => {
            const row = await tx.get<Account>(forUpdate, ['a']);
            await tx.run('UPDATE seam_accounts SET tokens = ? WHERE id = ?', [(row?.tokens ?? 0) + 1, 'a']);
          }),
        ),
      );
      expect(await tokensOf('a')).toBe(40);
    });

    it('answers each of transactions sent together with its own outcome', async () => {
      const outcomes = await Promise.allSettled(
        ['a', 'b', 'a', 'c'].map((id) => storage.transaction((tx) => tx.run('INSERT INTO seam_accounts VALUES (?, ?)', [id, 1]))),
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(await storage.all('SELECT id FROM seam_accounts ORDER BY id')).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    });
  });

  describe('snapshots', () => {
    it('streams every row as of the snapshot’s start, whatever is written meanwhile', async () => {
      await storage.transaction(async (tx) => {
        for (let i = 0; i < 2_500; i += 1) await tx.run('INSERT INTO seam_accounts VALUES (?, ?)', [`acc_${String(i).padStart(5, '0')}`, i]);
      });

      const streamed = await storage.snapshot(async (snapshot) => {
        const before = await snapshot.get<{ n: number }>('SELECT COUNT(*) AS n FROM seam_accounts');
        await storage.transaction((tx) => tx.run('INSERT INTO seam_accounts VALUES (?, ?)', ['zz_late', 1]));
        let count = 0;
        let sum = 0;
        for await (const row of snapshot.stream<Account>('SELECT id, tokens FROM seam_accounts ORDER BY id', [], { batchSize: 300 })) {
          count += 1;
          sum += row.tokens;
        }
        return { before: before?.n, count, sum };
      });

      expect(streamed).toEqual({ before: 2_500, count: 2_500, sum: (2_499 * 2_500) / 2 });
      expect(await storage.get('SELECT COUNT(*) AS n FROM seam_accounts')).toEqual({ n: 2_501 });
    });
  });
}
