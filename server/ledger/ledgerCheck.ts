import type { Db } from '../../db/connection.ts';
import { createIntegrityRepository, type IntegrityRepository } from '../../db/repositories/integrityRepository.ts';

export interface LedgerCheck {
  ok: boolean;
  entries: number;
  problems: string[];
}

const MAX_LISTED = 20;

/** Collects problem lines, listing the first MAX_LISTED. */
function problemList() {
  const problems: string[] = [];
  const add = (message: string): void => {
    if (problems.length < MAX_LISTED) problems.push(message);
    else if (problems.length === MAX_LISTED) problems.push('… more problems not listed');
  };
  return { problems, add };
}

const runningProblem = (id: string, customerId: string, balanceAfter: number, expected: number): string =>
  `ledger entry ${id} (customer ${customerId}): balance_after ${balanceAfter}, running sum ${expected}`;

/** The checks both scopes share, in this order: balances, running balances (`checkRunning`), runs, credits, day totals, reversals, credit events. */
function checkRecords(repo: IntegrityRepository, add: (message: string) => void, checkRunning: () => void): void {
  for (const m of repo.balanceMismatches()) {
    add(`customer ${m.customer_id}: balance ${m.balance} but its ledger entries sum to ${m.ledger_sum}`);
  }
  checkRunning();
  for (const r of repo.runMismatches()) {
    add(
      `run ${r.generation_id}: counters charged/refunded/credited/reserved ${r.tokens_charged}/${r.tokens_auto_refunded}/${r.tokens_credited}/${r.tokens_reserved}` +
        ` but entries say ${r.charged}/${r.refunded}/${r.credited}/${r.reserved}` +
        (r.refunded + r.credited > r.charged ? ' (returned more than charged)' : ''),
    );
  }
  for (const c of repo.creditMismatches()) {
    add(`credit ${c.credit_id} (${c.status}, ${c.amount} tokens): ledger credit ${c.credited ?? 'none'}, void ${c.voided ?? 'none'}, items ${c.items ?? 'none'}`);
  }
  for (const d of repo.dayTotalMismatches()) {
    add(`credit day totals of ${d.staff_id} on ${d.day}: ${d.open_tokens ?? 0}/${d.requested_tokens ?? 0} but the credits sum to ${d.open_sum}/${d.requested_sum}`);
  }
  for (const r of repo.reversalMismatches()) {
    add(`${r.kind} ${r.id} of ${r.amount} does not reverse a matching entry (found ${r.reversed_kind ?? 'nothing'} of ${r.reversed_amount ?? '-'})`);
  }
  for (const e of repo.creditEventMismatches()) {
    add(
      e.event_type === null
        ? `${e.kind} ${e.entry_id} has no credit event for the studio`
        : `${e.kind} ${e.entry_id} of ${e.amount}: its credit event says ${e.event_type} of ${e.event_amount}, body ${e.body_transaction_id} of ${e.body_amount}`,
    );
  }
}

/**
 * Checks invariants 1 and 2 of docs/domain.md over the whole database: balances
 * against entry sums, each balance_after against the running sum, each run's
 * counters against its entries and credits (returned never above charged),
 * each grant against its ledger entries, each reversal against what it reverses.
 */
export function checkLedger(db: Db): LedgerCheck {
  const repo = createIntegrityRepository(db);
  const { problems, add } = problemList();
  let entries = 0;
  checkRecords(repo, add, () => {
    const running = new Map<string, number>();
    for (const e of repo.entriesInOrder()) {
      entries++;
      const expected = (running.get(e.customer_id) ?? 0) + e.amount;
      if (e.balance_after !== expected) add(runningProblem(e.id, e.customer_id, e.balance_after, expected));
      running.set(e.customer_id, expected);
    }
  });
  return { ok: problems.length === 0, entries, problems };
}

/**
 * The same checks over what the ledger entries after `afterSeq` touch (the
 * history import's, server/ingest/history/): those entries' running
 * balances, and the balances, runs, credits, reversals and credit events they
 * concern, in set-based queries. `entries` counts the entries after `afterSeq`.
 */
export function checkLedgerAfter(db: Db, afterSeq: number): LedgerCheck {
  const repo = createIntegrityRepository(db, afterSeq);
  const { problems, add } = problemList();
  checkRecords(repo, add, () => {
    for (const m of repo.runningMismatches()) add(runningProblem(m.id, m.customer_id, m.balance_after, m.expected));
  });
  return { ok: problems.length === 0, entries: repo.entriesAfter(), problems };
}
