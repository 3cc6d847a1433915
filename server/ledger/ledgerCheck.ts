import type { Db } from '../../db/connection.ts';
import {
  createIntegrityRepository,
  integrityRepository,
  type BalanceMismatch,
  type CreditEventMismatch,
  type CreditMismatch,
  type DayTotalMismatch,
  type IntegrityRepository,
  type ReversalMismatch,
  type RunMismatch,
  type RunningEntry,
} from '../../db/repositories/integrityRepository.ts';
import type { Queryable, Snapshot, Storage } from '../../db/storage/types.ts';

export interface LedgerCheck {
  ok: boolean;
  entries: number;
  problems: string[];
}

const MAX_LISTED = 20;

type Add = (message: string) => void;

/** Collects problem lines, listing the first MAX_LISTED. */
function problemList() {
  const problems: string[] = [];
  const add: Add = (message) => {
    if (problems.length < MAX_LISTED) problems.push(message);
    else if (problems.length === MAX_LISTED) problems.push('… more problems not listed');
  };
  return { problems, add };
}

const runningProblem = (id: string, customerId: string, balanceAfter: number, expected: number): string =>
  `ledger entry ${id} (customer ${customerId}): balance_after ${balanceAfter}, running sum ${expected}`;

/** Each kind of mismatch in words, one line per row. */
const describe = {
  balances: (rows: BalanceMismatch[], add: Add): void => {
    for (const m of rows) add(`customer ${m.customer_id}: balance ${m.balance} but its ledger entries sum to ${m.ledger_sum}`);
  },
  runs: (rows: RunMismatch[], add: Add): void => {
    for (const r of rows) {
      add(
        `run ${r.generation_id}: counters charged/refunded/credited/reserved ${r.tokens_charged}/${r.tokens_auto_refunded}/${r.tokens_credited}/${r.tokens_reserved}` +
          ` but entries say ${r.charged}/${r.refunded}/${r.credited}/${r.reserved}` +
          (r.refunded + r.credited > r.charged ? ' (returned more than charged)' : ''),
      );
    }
  },
  credits: (rows: CreditMismatch[], add: Add): void => {
    for (const c of rows) {
      add(`credit ${c.credit_id} (${c.status}, ${c.amount} tokens): ledger credit ${c.credited ?? 'none'}, void ${c.voided ?? 'none'}, items ${c.items ?? 'none'}`);
    }
  },
  dayTotals: (rows: DayTotalMismatch[], add: Add): void => {
    for (const d of rows) {
      add(`credit day totals of ${d.staff_id} on ${d.day}: ${d.open_tokens ?? 0}/${d.requested_tokens ?? 0} but the credits sum to ${d.open_sum}/${d.requested_sum}`);
    }
  },
  reversals: (rows: ReversalMismatch[], add: Add): void => {
    for (const r of rows) {
      add(`${r.kind} ${r.id} of ${r.amount} does not reverse a matching entry (found ${r.reversed_kind ?? 'nothing'} of ${r.reversed_amount ?? '-'})`);
    }
  },
  creditEvents: (rows: CreditEventMismatch[], add: Add): void => {
    for (const e of rows) {
      add(
        e.event_type === null
          ? `${e.kind} ${e.entry_id} has no credit event for the studio`
          : `${e.kind} ${e.entry_id} of ${e.amount}: its credit event says ${e.event_type} of ${e.event_amount}, body ${e.body_transaction_id} of ${e.body_amount}`,
      );
    }
  },
};

/** Walks the entries in posting order, holding each customer's running sum: the whole database's running-balance check. */
function runningWalk(add: Add) {
  const running = new Map<string, number>();
  let entries = 0;
  return {
    step(e: RunningEntry): void {
      entries++;
      const expected = (running.get(e.customer_id) ?? 0) + e.amount;
      if (e.balance_after !== expected) add(runningProblem(e.id, e.customer_id, e.balance_after, expected));
      running.set(e.customer_id, expected);
    },
    entries: (): number => entries,
  };
}

/**
 * The checks both scopes share, in this order: balances, running balances (`checkRunning`), runs,
 * credits, day totals, reversals, credit events — through the storage seam; `scope` as in
 * integrityRepository.
 */
async function checkRecords(q: Queryable, scope: number | undefined, add: Add, checkRunning: () => Promise<void>): Promise<void> {
  describe.balances(await integrityRepository.balanceMismatches(q, scope), add);
  await checkRunning();
  describe.runs(await integrityRepository.runMismatches(q, scope), add);
  describe.credits(await integrityRepository.creditMismatches(q, scope), add);
  describe.dayTotals(await integrityRepository.dayTotalMismatches(q), add);
  describe.reversals(await integrityRepository.reversalMismatches(q, scope), add);
  describe.creditEvents(await integrityRepository.creditEventMismatches(q, scope), add);
}

/**
 * PostgreSQL stops any statement after statement_timeout (db/postgres/pool.ts), which bounds the
 * API's requests; a check of the whole database reads every row and takes as long as the database
 * is big, so its snapshot lifts the limit (for its own transaction only). SQLite has none.
 */
async function liftStatementTimeout(snapshot: Snapshot): Promise<void> {
  if (snapshot.engine === 'postgres') await snapshot.run('SET LOCAL statement_timeout = 0');
}

/**
 * Checks invariants 1 and 2 of docs/domain.md over the whole database: balances
 * against entry sums, each balance_after against the running sum, each run's
 * counters against its entries and credits (returned never above charged),
 * each grant against its ledger entries, each reversal against what it reverses.
 * Every check reads one snapshot, so writers carrying on meanwhile never show as a mismatch.
 */
export function verifyLedger(storage: Storage): Promise<LedgerCheck> {
  return storage.snapshot(async (snapshot) => {
    await liftStatementTimeout(snapshot);
    const { problems, add } = problemList();
    const walk = runningWalk(add);
    await checkRecords(snapshot, undefined, add, async () => {
      for await (const e of integrityRepository.entriesInOrder(snapshot)) walk.step(e);
    });
    return { ok: problems.length === 0, entries: walk.entries(), problems };
  });
}

/**
 * The same checks over what the ledger entries after `afterSeq` touch (the
 * history import's, server/ingest/history/): those entries' running
 * balances, and the balances, runs, credits, reversals and credit events they
 * concern, in set-based queries. `entries` counts the entries after `afterSeq`.
 */
export async function verifyLedgerAfter(q: Queryable, afterSeq: number): Promise<LedgerCheck> {
  const { problems, add } = problemList();
  await checkRecords(q, afterSeq, add, async () => {
    for (const m of await integrityRepository.runningMismatches(q, afterSeq)) add(runningProblem(m.id, m.customer_id, m.balance_after, m.expected));
  });
  return { ok: problems.length === 0, entries: await integrityRepository.entriesAfter(q, afterSeq), problems };
}

/** checkRecords on a better-sqlite3 connection. */
function checkRecordsOn(repo: IntegrityRepository, add: Add, checkRunning: () => void): void {
  describe.balances(repo.balanceMismatches(), add);
  checkRunning();
  describe.runs(repo.runMismatches(), add);
  describe.credits(repo.creditMismatches(), add);
  describe.dayTotals(repo.dayTotalMismatches(), add);
  describe.reversals(repo.reversalMismatches(), add);
  describe.creditEvents(repo.creditEventMismatches(), add);
}

/** verifyLedger on a better-sqlite3 connection, for what still calls it synchronously. */
export function checkLedger(db: Db): LedgerCheck {
  const repo = createIntegrityRepository(db);
  const { problems, add } = problemList();
  const walk = runningWalk(add);
  checkRecordsOn(repo, add, () => {
    for (const e of repo.entriesInOrder()) walk.step(e);
  });
  return { ok: problems.length === 0, entries: walk.entries(), problems };
}

/** verifyLedgerAfter on a better-sqlite3 connection: the SQLite history import's closing check. */
export function checkLedgerAfter(db: Db, afterSeq: number): LedgerCheck {
  const repo = createIntegrityRepository(db, afterSeq);
  const { problems, add } = problemList();
  checkRecordsOn(repo, add, () => {
    for (const m of repo.runningMismatches()) add(runningProblem(m.id, m.customer_id, m.balance_after, m.expected));
  });
  return { ok: problems.length === 0, entries: repo.entriesAfter(), problems };
}
