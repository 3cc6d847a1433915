import type { Db } from '../../db/connection.ts';
import { createCreditEventRepository, creditEventRepository, type NewCreditEvent } from '../../db/repositories/creditEventRepository.ts';
import { createCreditRepository, creditRepository, type CreditItemRow, type CreditRow } from '../../db/repositories/creditRepository.ts';
import type { NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import type { Transaction } from '../../db/storage/types.ts';
import type { CreditEventBody, CreditEventData, VoidCause } from '../../shared/delivery.ts';
import { ValidationFailed } from '../errors.ts';

/** The studio's contract caps a body at 20 kB; the database refuses a bigger one too. */
export const MAX_EVENT_BODY_BYTES = 20_000;

/** The credit event of a `manual_credit` or `credit_void` entry, with the frozen body every attempt will send. */
function creditEventOf(entry: NewLedgerEntry, credit: CreditRow | undefined, items: CreditItemRow[], voidCause?: VoidCause): NewCreditEvent {
  if (!credit) throw new Error(`ledger entry ${entry.id} names no credit`);
  const applied = entry.kind === 'manual_credit';
  if (!applied && !voidCause) throw new Error(`void ${entry.id} needs its cause`);
  // Key order is part of the frozen bytes: keep it as the contract lists the fields.
  const data: CreditEventData = {
    transaction_id: entry.id,
    credit_id: credit.id,
    customer_id: entry.customer_id,
    amount: entry.amount,
    reason: credit.reason,
    ticket_ref: credit.ticket_ref,
    runs: items.map((item) => ({ generation_id: item.generation_id, tokens: item.tokens })),
    requested_by: credit.requested_by,
    approved_by: credit.decided_by,
    created_at: entry.created_at,
    ...(applied ? {} : { reverses_transaction_id: entry.reverses_id ?? undefined, void_cause: voidCause }),
  };
  const type = applied ? 'credit.applied' : 'credit.voided';
  const body: CreditEventBody = { type, timestamp: entry.recorded_at, data };
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) >= MAX_EVENT_BODY_BYTES) {
    throw new ValidationFailed({ items: 'cover fewer runs: the studio takes a credit event of at most 20 kB' });
  }
  return { id: entry.id, credit_id: credit.id, customer_id: entry.customer_id, type, amount: entry.amount, body: text, created_at: entry.recorded_at };
}

/**
 * The outbox writer: turns a `manual_credit` or `credit_void` ledger entry
 * into its credit event, with the body every delivery attempt will send. It
 * runs inside the entry's transaction, before the entry (the database refuses
 * a credit entry whose event is missing). The customer's expected/received
 * text and internal notes are never part of the body.
 */
export function createCreditEventWriter(db: Db, onWritten: () => void = () => {}) {
  const events = createCreditEventRepository(db);
  const credits = createCreditRepository(db);

  return function writeCreditEvent(entry: NewLedgerEntry, voidCause?: VoidCause): void {
    const credit = entry.credit_id ? credits.byId(entry.credit_id) : undefined;
    events.insert(creditEventOf(entry, credit, credit ? credits.items(credit.id) : [], voidCause));
    onWritten();
  };
}
export type CreditEventWriter = ReturnType<typeof createCreditEventWriter>;

/** A grant as its caller holds it in the entry's transaction: the row as stored, its items in generation_id order. */
export interface KnownCredit {
  row: CreditRow;
  items: CreditItemRow[];
}

/** The outbox writer through the storage seam, in the entry's transaction `tx`; `known`: the entry's grant, not read again. */
export async function writeCreditEvent(tx: Transaction, entry: NewLedgerEntry, voidCause?: VoidCause, known?: KnownCredit): Promise<void> {
  if (known && known.row.id === entry.credit_id) {
    await creditEventRepository.insert(tx, creditEventOf(entry, known.row, known.items, voidCause));
    return;
  }
  const credit = entry.credit_id ? await creditRepository.byId(tx, entry.credit_id) : undefined;
  await creditEventRepository.insert(tx, creditEventOf(entry, credit, credit ? await creditRepository.items(tx, credit.id) : [], voidCause));
}
