import type { Db } from './connection.ts';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pending {
  work: () => unknown;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the money writes that arrive together. Each piece of work
 * still runs whole, synchronously, inside a BEGIN IMMEDIATE transaction and
 * with its audit event, in a savepoint of its own: an error rolls back that
 * work alone and is its caller's answer. What the pieces share is the COMMIT:
 * under `synchronous=FULL` each commit writes its pages to the WAL and waits
 * for the disk, and that was a third of a credit grant's time (BENCHMARKS.md).
 *
 * Work queued during one turn of the event loop is run on the next, in
 * arrival order. No promise settles before the COMMIT has returned, so no one
 * is told "done" about a write a crash could still take back; if the commit
 * fails, every piece of the batch is refused and nothing of it was written.
 */
export function createGroupCommit(db: Db) {
  let queue: Pending[] = [];
  const savepoint = db.transaction((work: () => unknown) => work());

  function runBatch(batch: Pending[]): Outcome[] {
    const outcomes: Outcome[] = [];
    db.transaction(() => {
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: savepoint(item.work) });
        } catch (error) {
          // SQLite ends the whole transaction on some errors (a full disk, an I/O error): the work
          // after it must not run on its own, outside any transaction, nor the work before it count.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    }).immediate();
    return outcomes;
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = runBatch(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value as never);
      else item.reject(outcome.error);
    });
  }

  return {
    /** Runs `work` in the next batch; settles once the batch is committed (or refused). */
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: never) => void, reject });
        if (queue.length === 1) setImmediate(flush);
      });
    },
  };
}
export type GroupCommit = ReturnType<typeof createGroupCommit>;
