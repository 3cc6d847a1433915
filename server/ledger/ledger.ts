import type { Db } from '../../db/connection.ts';
import { createLedgerRepository, ledgerRepository, type LedgerKind, type NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import type { Transaction } from '../../db/storage/types.ts';
import type { VoidCause } from '../../shared/delivery.ts';
import { isoNow, type Clock } from '../clock.ts';
import { createCreditEventWriter, writeCreditEvent as writeCreditEventIn, type KnownCredit } from '../delivery/creditEventWriter.ts';
import { newId } from '../ids.ts';
import { sqliteOnly } from '../sqliteOnly.ts';

export interface PostEntry {
  /** The studio's transaction id; a console-made id when absent. */
  id?: string;
  customerId: string;
  kind: LedgerKind;
  /** Signed: positive adds to the balance, negative takes from it. */
  amount: number;
  createdAt?: string;
  generationId?: string | null;
  chatId?: string | null;
  tool?: string | null;
  reversesId?: string | null;
  creditId?: string | null;
  /** A `credit_void`'s cause, as the studio is told it: a lead's decision or a late auto-refund. */
  voidCause?: VoidCause;
  /**
   * The customer's balance, when the caller read it with the row locked in this transaction and
   * wrote no entry since: not read again. The ledger guard still checks the entry against it.
   */
  balanceBefore?: number;
  /** The grant a credit entry is about, with its items, when the caller holds them: its credit event is built from them. */
  credit?: KnownCredit;
}

export interface LedgerOptions {
  /** Called after a credit event is queued (inside the transaction): wakes the delivery dispatcher. */
  onCreditEvent?: () => void;
}

export class UnknownCustomer extends Error {
  constructor(readonly customerId: string) {
    super(`customer ${customerId} does not exist`);
  }
}

/**
 * Posts ledger entries. Each entry carries the running balance after it; the
 * database checks that figure and moves the customer's balance with it, so
 * the balance is the sum of the entries at every commit. Every credit entry
 * (`manual_credit`, `credit_void`) queues its credit event for the studio in
 * the same transaction, whatever path posts it.
 */
export function createLedger(db: Db | null, clock: Clock, options: LedgerOptions = {}) {
  const repo = sqliteOnly(db, 'ledger.post', createLedgerRepository);
  const writeCreditEvent = sqliteOnly(db, 'ledger.post', (connection) => createCreditEventWriter(connection, options.onCreditEvent));

  function entryOf(input: PostEntry, balance: number | undefined): NewLedgerEntry {
    if (!Number.isSafeInteger(input.amount) || input.amount === 0) throw new Error(`amount must be a non-zero integer, got ${input.amount}`);
    if (balance === undefined) throw new UnknownCustomer(input.customerId);
    const now = isoNow(clock);
    return {
      id: input.id ?? newId('txn', clock().getTime()),
      customer_id: input.customerId,
      kind: input.kind,
      amount: input.amount,
      balance_after: balance + input.amount,
      created_at: input.createdAt ?? now,
      recorded_at: now,
      generation_id: input.generationId ?? null,
      chat_id: input.chatId ?? null,
      tool: input.tool ?? null,
      reverses_id: input.reversesId ?? null,
      credit_id: input.creditId ?? null,
    };
  }

  const isCreditEntry = (entry: NewLedgerEntry): boolean => entry.kind === 'manual_credit' || entry.kind === 'credit_void';

  function post(input: PostEntry): NewLedgerEntry {
    const entries = repo();
    if (!db?.inTransaction) throw new Error('ledger entries are posted inside the transaction of their change');
    const entry = entryOf(input, entries.balanceOf(input.customerId));
    if (isCreditEntry(entry)) writeCreditEvent()(entry, input.voidCause);
    entries.insert(entry);
    return entry;
  }

  /** `post` through the storage seam, in the transaction `tx` of the change. */
  async function append(tx: Transaction, input: PostEntry): Promise<NewLedgerEntry> {
    const entry = entryOf(input, input.balanceBefore ?? (await ledgerRepository.balanceForPosting(tx, input.customerId)));
    if (isCreditEntry(entry)) {
      await writeCreditEventIn(tx, entry, input.voidCause, input.credit);
      // Woken before the COMMIT, a dispatcher on another connection would not see the event yet.
      const wake = options.onCreditEvent;
      if (wake) tx.afterCommit(wake);
    }
    await ledgerRepository.insert(tx, entry);
    return entry;
  }

  return {
    post,
    append,
    // Synchronous reads beside post, for the same callers.
    balanceOf: (customerId: string) => repo().balanceOf(customerId),
    byId: (id: string) => repo().byId(id),
    forGeneration: (generationId: string) => repo().forGeneration(generationId),
    reversalOf: (entryId: string) => repo().reversalOf(entryId),
  };
}
export type Ledger = ReturnType<typeof createLedger>;
