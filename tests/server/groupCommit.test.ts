import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connection.ts';
import { createGroupCommit, type GroupCommit } from '../../db/groupCommit.ts';
import { tempDatabase } from './support/testApp.ts';

let database: ReturnType<typeof tempDatabase>;
let db: Db;
let commits: GroupCommit;
/** A second connection: sees only what is committed. */
let observer: Db;

beforeEach(() => {
  database = tempDatabase();
  db = database.db;
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)');
  commits = createGroupCommit(db);
  observer = openDatabase(database.path, { readonly: true });
});
afterEach(() => {
  observer.close();
  database.cleanup();
});

const insert = (text: string) => () => Number(db.prepare('INSERT INTO notes (text) VALUES (?)').run(text).lastInsertRowid);
const committed = () => observer.prepare('SELECT text FROM notes ORDER BY id').pluck().all();

describe('group commit', () => {
  it('runs the work queued in one turn in one transaction, in order, and answers each with its own result', async () => {
    const seenUncommitted: unknown[][] = [];
    const answers = Promise.all([
      commits.run(insert('a')),
      commits.run(() => {
        // Work of the same batch: the first insert is there, not yet committed, so no one else sees it.
        seenUncommitted.push(committed());
        return insert('b')();
      }),
      commits.run(insert('c')),
    ]);
    expect(committed()).toEqual([]);
    expect(await answers).toEqual([1, 2, 3]);
    expect(seenUncommitted).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b', 'c']);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls back a failing piece of work alone and gives its caller the error', async () => {
    const results = await Promise.allSettled([commits.run(insert('a')), commits.run(insert('a')), commits.run(insert('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('refuses the whole batch, and writes nothing of it, when the transaction ends under it', async () => {
    const results = await Promise.allSettled([
      commits.run(insert('a')),
      commits.run(() => db.exec('ROLLBACK')),
      commits.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The work after the failure did not run on its own, outside the transaction.
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it('starts a new batch for work queued after a batch ran', async () => {
    await commits.run(insert('a'));
    await Promise.all([commits.run(insert('b')), commits.run(insert('c'))]);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });
});
