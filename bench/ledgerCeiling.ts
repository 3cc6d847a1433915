import { openDatabase } from '../db/connection.ts';
import type { BenchRow } from './results.ts';

const ENTRIES = 200_000;
const CUSTOMERS = 1_000;

/**
 * How fast the ledger table itself takes rows, with every trigger and index of
 * the schema in place: `purchase` entries (no run or asset rows to write with
 * them), generated beforehand, inserted by one prepared statement in one
 * transaction. No seed or import can go faster than this, so it says how far
 * the seed/import target is from reach on this machine. Written into the run's
 * work copy, after everything else, and removed with it.
 */
export function measureLedgerCeiling(path: string, anchor: string): BenchRow {
  const db = openDatabase(path);
  try {
    const customers = db.prepare<[number], { id: string; balance: number }>('SELECT id, balance FROM customers ORDER BY id LIMIT ?').all(CUSTOMERS);
    const start = Date.parse(`${anchor}T00:00:00Z`) + 86_400_000;
    const rows = Array.from({ length: ENTRIES }, (_, i) => {
      const customer = customers[i % customers.length];
      customer.balance += 1;
      const at = new Date(start + i * 1000).toISOString();
      return [`txn_bench_ceiling_${i}`, customer.id, customer.balance, at, at] as const;
    });
    const insert = db.prepare<readonly [string, string, number, string, string]>(
      `INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at) VALUES (?, ?, 'purchase', 1, ?, ?, ?)`,
    );
    const started = performance.now();
    db.transaction(() => {
      for (const row of rows) insert.run(row);
    }).immediate();
    const seconds = (performance.now() - started) / 1000;
    return {
      name: 'ledger table insert ceiling (reference)',
      checks: [],
      outcome: 'measured',
      value: ENTRIES / seconds,
      unit: 'ledger rows/s',
      note: `${ENTRIES.toLocaleString('en-US')} purchase entries for ${customers.length.toLocaleString('en-US')} customers, one transaction, every trigger and index in place: the most any seed or import could reach here`,
    };
  } finally {
    db.close();
  }
}
