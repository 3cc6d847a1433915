import type { Db } from '../../db/connection.ts';
import type { VoidCause } from '../../shared/delivery.ts';
import { createCreditRepository, creditRepository, type CreditRow } from '../../db/repositories/creditRepository.ts';
import { customerRepository } from '../../db/repositories/customerRepository.ts';
import { eligibilityRepository } from '../../db/repositories/eligibilityRepository.ts';
import type { Transaction } from '../../db/storage/types.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { sqliteOnly } from '../sqliteOnly.ts';
import { Conflict } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';

const actorId = (actor: Actor): string => (actor.type === 'staff' || actor.type === 'anonymous' ? actor.id : actor.type);

/** The 409 for a decision on a grant that is no longer pending (docs/api.md). */
export const notPending = (credit: Pick<CreditRow, 'id' | 'status'>): Conflict =>
  new Conflict('not_pending', `Credit ${credit.id} is ${credit.status}, not waiting for approval.`);

/** The 409 for a void of a grant that is not applied (docs/api.md). */
export const notApplied = (credit: Pick<CreditRow, 'id' | 'status'>): Conflict =>
  new Conflict('not_applied', `Credit ${credit.id} is ${credit.status}: only an applied credit can be voided.`);

/** The grant as it is now, for the 409 of a guarded change that found it moved on. */
const current = async (tx: Transaction, credit: CreditRow): Promise<CreditRow> => (await creditRepository.byId(tx, credit.id)) ?? credit;

/**
 * Undoing grants: voiding an applied one (a `credit_void` entry reversing its
 * `manual_credit`) and rejecting a pending one. Callers run these inside
 * their own write transaction; each writes its audit event there too.
 */
export function createCreditReversals(db: Db | null, ledger: Ledger, audit: AuditLog, clock: Clock) {
  const repo = sqliteOnly(db, 'the synchronous credit reversals', createCreditRepository);

  function voidApplied(credit: CreditRow, actor: Actor, reason: string, origin?: RequestOrigin, cause: VoidCause = 'staff'): CreditRow {
    const now = isoNow(clock);
    if (!credit.transaction_id || !repo().markVoided({ id: credit.id, voided_by: actorId(actor), voided_at: now, void_reason: reason })) {
      throw new Error(`credit ${credit.id} is not applied`);
    }
    const balanceBefore = ledger.balanceOf(credit.customer_id);
    const entry = ledger.post({
      customerId: credit.customer_id, kind: 'credit_void', amount: -credit.amount, creditId: credit.id, reversesId: credit.transaction_id,
      voidCause: cause,
    });
    repo().linkVoidTransaction(credit.id, entry.id);
    const after = repo().byId(credit.id);
    audit.record({
      actor, action: 'credit.voided', entityType: 'credit', entityId: credit.id, customerId: credit.customer_id,
      before: { status: credit.status, balance: balanceBefore },
      after: { status: 'voided', void_transaction_id: entry.id, balance: entry.balance_after },
      reason, origin,
    });
    return after ?? credit;
  }

  function rejectPending(credit: CreditRow, actor: Actor, reason: string, origin?: RequestOrigin): CreditRow {
    const decidedBy = actor.type === 'staff' ? actor.id : null;
    if (!repo().decide({ id: credit.id, status: 'rejected', decided_by: decidedBy, decided_at: isoNow(clock), decision_reason: reason })) {
      throw new Error(`credit ${credit.id} is not pending`);
    }
    audit.record({
      actor, action: 'credit.rejected', entityType: 'credit', entityId: credit.id, customerId: credit.customer_id,
      before: { status: credit.status }, after: { status: 'rejected' }, reason, origin,
    });
    return repo().byId(credit.id) ?? credit;
  }

  /**
   * Invariant 7: an auto-refund that arrives for a run support already
   * credited wins. Every grant covering the run is undone first (as the
   * actor `system`), so the run is never paid twice.
   */
  function undoForLateRefund(generationId: string, refundTransactionId: string): string[] {
    const undone: string[] = [];
    for (const credit of repo().activeForGeneration(generationId)) {
      const reason = `The studio's auto-refund ${refundTransactionId} for run ${generationId} arrived after this credit; the refund wins.`;
      if (credit.status === 'applied') voidApplied(credit, { type: 'system' }, reason, undefined, 'late_auto_refund');
      else rejectPending(credit, { type: 'system' }, reason);
      undone.push(credit.id);
    }
    return undone;
  }

  /** `voidApplied` through the storage seam, in the caller's transaction `tx`. */
  async function voidAppliedIn(
    tx: Transaction, credit: CreditRow, actor: Actor, reason: string, origin?: RequestOrigin, cause: VoidCause = 'staff',
  ): Promise<CreditRow> {
    const now = isoNow(clock);
    // Lock order (docs/postgres.md): the customer and the grant's runs before the status change,
    // whose triggers move the day totals, and the ledger entry, which moves the runs.
    await customerRepository.lock(tx, credit.customer_id);
    await eligibilityRepository.lockRunsOfCredit(tx, credit.id);
    if (!credit.transaction_id || !(await creditRepository.markVoided(tx, { id: credit.id, voided_by: actorId(actor), voided_at: now, void_reason: reason }))) {
      throw notApplied(await current(tx, credit));
    }
    await creditRepository.countInDayTotals(tx);
    const entry = await ledger.append(tx, {
      customerId: credit.customer_id, kind: 'credit_void', amount: -credit.amount, creditId: credit.id, reversesId: credit.transaction_id,
      voidCause: cause,
    });
    await creditRepository.linkVoidTransaction(tx, credit.id, entry.id);
    const after = await creditRepository.byId(tx, credit.id);
    await audit.append(tx, {
      actor, action: 'credit.voided', entityType: 'credit', entityId: credit.id, customerId: credit.customer_id,
      before: { status: credit.status, balance: entry.balance_after - entry.amount },
      after: { status: 'voided', void_transaction_id: entry.id, balance: entry.balance_after },
      reason, origin,
    });
    return after ?? credit;
  }

  /** `rejectPending` through the storage seam, in the caller's transaction `tx`. */
  async function rejectPendingIn(tx: Transaction, credit: CreditRow, actor: Actor, reason: string, origin?: RequestOrigin): Promise<CreditRow> {
    const decidedBy = actor.type === 'staff' ? actor.id : null;
    // The runs before the status change: PostgreSQL fires its triggers by name, the day totals'
    // (credits_day_total_rejected) before the released reservation's, and the lock order
    // (docs/postgres.md) puts the runs first.
    await eligibilityRepository.lockRunsOfCredit(tx, credit.id);
    if (!(await creditRepository.decide(tx, { id: credit.id, status: 'rejected', decided_by: decidedBy, decided_at: isoNow(clock), decision_reason: reason }))) {
      throw notPending(await current(tx, credit));
    }
    await creditRepository.countInDayTotals(tx);
    await audit.append(tx, {
      actor, action: 'credit.rejected', entityType: 'credit', entityId: credit.id, customerId: credit.customer_id,
      before: { status: credit.status }, after: { status: 'rejected' }, reason, origin,
    });
    return (await creditRepository.byId(tx, credit.id)) ?? credit;
  }

  /** `undoForLateRefund` through the storage seam, in the caller's transaction `tx`. */
  async function undoForLateRefundIn(tx: Transaction, generationId: string, refundTransactionId: string): Promise<string[]> {
    const undone: string[] = [];
    for (const credit of await creditRepository.activeForGenerationLocked(tx, generationId)) {
      const reason = `The studio's auto-refund ${refundTransactionId} for run ${generationId} arrived after this credit; the refund wins.`;
      if (credit.status === 'applied') await voidAppliedIn(tx, credit, { type: 'system' }, reason, undefined, 'late_auto_refund');
      else await rejectPendingIn(tx, credit, { type: 'system' }, reason);
      undone.push(credit.id);
    }
    return undone;
  }

  return { voidApplied, rejectPending, undoForLateRefund, voidAppliedIn, rejectPendingIn, undoForLateRefundIn };
}
export type CreditReversals = ReturnType<typeof createCreditReversals>;
