import { creditRepository, type CreditRow } from '../../../db/repositories/creditRepository.ts';
import type { Transaction } from '../../../db/storage/types.ts';
import type { AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

/**
 * Low-level grant moves made the way the credit service makes them (status
 * first, then the ledger entry), for tests of what the database enforces.
 */
export function creditOps(ctx: AppContext, staffId: string) {
  const tx = <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => ctx.storage.transaction(work);

  function create(customerId: string, items: { generation_id: string; tokens: number }[], status: 'applied' | 'pending_approval', amount?: number): Promise<string> {
    return tx(async (t) => {
      const id = newId('crd');
      const row: CreditRow = {
        id, customer_id: customerId, amount: amount ?? items.reduce((sum, i) => sum + i.tokens, 0),
        reason: items.length ? 'visual_artifacts' : 'goodwill', ticket_ref: 'T-1', expected: 'e', received: 'r', note: null,
        customer_asset_urls: '[]', evidence: '{}', requested_by: staffId, status, decided_by: null, decided_at: null,
        decision_reason: null, voided_by: null, voided_at: null, void_reason: null, transaction_id: null,
        void_transaction_id: null, idempotency_key: id, created_at: ctx.clock().toISOString(),
      };
      await creditRepository.insert(t, row, items);
      if (status === 'applied') {
        const entry = await ctx.ledger.append(t, { customerId, kind: 'manual_credit', amount: row.amount, creditId: id });
        await creditRepository.linkTransaction(t, id, entry.id);
      }
      return id;
    });
  }

  function approve(id: string): Promise<void> {
    return tx(async (t) => {
      const credit = await creditRepository.byIdForChange(t, id);
      if (!credit || !(await creditRepository.decide(t, { id, status: 'applied', decided_by: staffId, decided_at: ctx.clock().toISOString(), decision_reason: null }))) {
        throw new Error('not pending');
      }
      const entry = await ctx.ledger.append(t, { customerId: credit.customer_id, kind: 'manual_credit', amount: credit.amount, creditId: id });
      await creditRepository.linkTransaction(t, id, entry.id);
    });
  }

  function reject(id: string): Promise<void> {
    return tx(async (t) => {
      if (!(await creditRepository.decide(t, { id, status: 'rejected', decided_by: staffId, decided_at: ctx.clock().toISOString(), decision_reason: 'no' }))) {
        throw new Error('not pending');
      }
    });
  }

  function voidCredit(id: string): Promise<void> {
    return tx(async (t) => {
      const credit = await creditRepository.byIdForChange(t, id);
      if (!credit?.transaction_id || !(await creditRepository.markVoided(t, { id, voided_by: staffId, voided_at: ctx.clock().toISOString(), void_reason: 'wrong' }))) {
        throw new Error('not applied');
      }
      const entry = await ctx.ledger.append(t, {
        customerId: credit.customer_id, kind: 'credit_void', amount: -credit.amount, creditId: id, reversesId: credit.transaction_id, voidCause: 'staff',
      });
      await creditRepository.linkVoidTransaction(t, id, entry.id);
    });
  }

  return { create, approve, reject, voidCredit };
}
