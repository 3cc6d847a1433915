import type { Db } from '../../db/connection.ts';
import { createIntegrityRepository } from '../../db/repositories/integrityRepository.ts';

export interface LedgerCheck {
  ok: boolean;
  entries: number;
  problems: string[];
}

const MAX_LISTED = 20;

/**
 * Checks invariants 1 and 2 of docs/domain.md over the whole database: balances
 * against entry sums, each balance_after against the running sum, each run's
 * counters against its entries and credits (returned never above charged),
 * each grant against its ledger entries, each reversal against what it reverses.
 */
export function checkLedger(db: Db): LedgerCheck {
  const repo = createIntegrityRepository(db);
  const problems: string[] = [];
  const add = (message: string): void => {
    if (problems.length < MAX_LISTED) problems.push(message);
    else if (problems.length === MAX_LISTED) problems.push('… more problems not listed');
  };

  for (const m of repo.balanceMismatches()) {
    add(`customer ${m.customer_id}: balance ${m.balance} but its ledger entries sum to ${m.ledger_sum}`);
  }
  const running = new Map<string, number>();
  let entries = 0;
  for (const e of repo.entriesInOrder()) {
    entries++;
    const expected = (running.get(e.customer_id) ?? 0) + e.amount;
    if (e.balance_after !== expected) {
      add(`ledger entry ${e.id} (customer ${e.customer_id}): balance_after ${e.balance_after}, running sum ${expected}`);
    }
    running.set(e.customer_id, expected);
  }
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
  return { ok: problems.length === 0, entries, problems };
}
