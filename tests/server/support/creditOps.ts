import { sqliteOf } from './testApp.ts';
import { createCreditRepository, type CreditRow } from '../../../db/repositories/creditRepository.ts';
import type { AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

/**
 * Low-level grant moves made the way the credit service makes them (status
 * first, then the ledger entry), for tests of what the database enforces.
 */
export function creditOps(ctx: AppContext, staffId: string) {
  const repo = createCreditRepository(sqliteOf(ctx));
  const tx = <T>(fn: () => T): T => sqliteOf(ctx).transaction(fn).immediate();

  function create(customerId: string, items: { generation_id: string; tokens: number }[], status: 'applied' | 'pending_approval', amount?: number): string {
    return tx(() => {
      const id = newId('crd');
      const row: CreditRow = {
        id, customer_id: customerId, amount: amount ?? items.reduce((sum, i) => sum + i.tokens, 0),
        reason: items.length ? 'visual_artifacts' : 'goodwill', ticket_ref: 'T-1', expected: 'e', received: 'r', note: null,
        customer_asset_urls: '[]', evidence: '{}', requested_by: staffId, status, decided_by: null, decided_at: null,
        decision_reason: null, voided_by: null, voided_at: null, void_reason: null, transaction_id: null,
        void_transaction_id: null, idempotency_key: id, created_at: ctx.clock().toISOString(),
      };
      repo.insert(row, items);
      if (status === 'applied') {
        const entry = ctx.ledger.post({ customerId, kind: 'manual_credit', amount: row.amount, creditId: id });
        repo.linkTransaction(id, entry.id);
      }
      return id;
    });
  }

  function approve(id: string): void {
    tx(() => {
      const credit = repo.byId(id);
      if (!credit || !repo.decide({ id, status: 'applied', decided_by: staffId, decided_at: ctx.clock().toISOString(), decision_reason: null })) {
        throw new Error('not pending');
      }
      const entry = ctx.ledger.post({ customerId: credit.customer_id, kind: 'manual_credit', amount: credit.amount, creditId: id });
      repo.linkTransaction(id, entry.id);
    });
  }

  function reject(id: string): void {
    tx(() => {
      if (!repo.decide({ id, status: 'rejected', decided_by: staffId, decided_at: ctx.clock().toISOString(), decision_reason: 'no' })) {
        throw new Error('not pending');
      }
    });
  }

  function voidCredit(id: string): void {
    tx(() => {
      const credit = repo.byId(id);
      if (!credit?.transaction_id || !repo.markVoided({ id, voided_by: staffId, voided_at: ctx.clock().toISOString(), void_reason: 'wrong' })) {
        throw new Error('not applied');
      }
      const entry = ctx.ledger.post({ customerId: credit.customer_id, kind: 'credit_void', amount: -credit.amount, creditId: id, reversesId: credit.transaction_id, voidCause: 'staff' });
      repo.linkVoidTransaction(id, entry.id);
    });
  }

  return { create, approve, reject, voidCredit };
}
