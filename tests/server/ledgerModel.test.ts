import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generationRepository } from '../../db/repositories/generationRepository.ts';
import { ledgerRepository } from '../../db/repositories/ledgerRepository.ts';
import type { PostEntry } from '../../server/ledger/ledger.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { creditOps } from './support/creditOps.ts';
import { buildStaff, createTestApp } from './support/testApp.ts';

/**
 * Random sequences of ledger operations against a simple in-memory model:
 * whatever the sequence, the database accepts exactly what the model allows,
 * balances equal the model's, and no run ever gets back more than it paid.
 */
type Op =
  | { type: 'purchase'; customer: number; amount: number }
  | { type: 'charge'; run: number; amount: number }
  | { type: 'autoRefund'; run: number }
  | { type: 'credit'; run: number; tokens: number; pending: boolean }
  | { type: 'approve'; credit: number }
  | { type: 'reject'; credit: number }
  | { type: 'void'; credit: number };

const CUSTOMERS = 2;
const RUNS = 4;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant('purchase' as const), customer: fc.nat(CUSTOMERS - 1), amount: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ type: fc.constant('charge' as const), run: fc.nat(RUNS - 1), amount: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ type: fc.constant('autoRefund' as const), run: fc.nat(RUNS - 1) }),
  fc.record({ type: fc.constant('credit' as const), run: fc.nat(RUNS - 1), tokens: fc.integer({ min: 1, max: 150 }), pending: fc.boolean() }),
  fc.record({ type: fc.constant('approve' as const), credit: fc.nat(20) }),
  fc.record({ type: fc.constant('reject' as const), credit: fc.nat(20) }),
  fc.record({ type: fc.constant('void' as const), credit: fc.nat(20) }),
);

interface RunModel {
  customer: number;
  charged: number;
  refunded: number;
  credited: number;
  reserved: number;
}
interface CreditModel {
  run: number;
  tokens: number;
  status: 'pending' | 'applied' | 'rejected' | 'voided';
  id: string;
}

describe('ledger against a model', () => {
  it('accepts exactly what the model allows and keeps every balance and run ceiling', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const t = await createTestApp();
        try {
          const staff = await buildStaff(t.ctx);
          const credits = creditOps(t.ctx, staff.id);
          const customerIds: string[] = [];
          for (let i = 0; i < CUSTOMERS; i++) customerIds.push((await buildCustomer(t.ctx)).id);
          const chats: { id: string }[] = [];
          for (const id of customerIds) chats.push(await buildChat(t.ctx, id));
          const runs: RunModel[] = [];
          const runIds: string[] = [];
          for (let i = 0; i < RUNS; i++) {
            const customer = i % CUSTOMERS;
            runs.push({ customer, charged: 0, refunded: 0, credited: 0, reserved: 0 });
            runIds.push((await buildRun(t.ctx, chats[customer], customerIds[customer], { status: i % 2 ? 'failed' : 'succeeded' })).id);
          }
          const balances = customerIds.map(() => 0);
          const chargeIds: (string | null)[] = runIds.map(() => null);
          const grants: CreditModel[] = [];
          const post = (entry: PostEntry) => t.ctx.storage.transaction((tx) => t.ctx.ledger.append(tx, entry));

          for (const op of ops) {
            let allowed: boolean;
            let act: () => Promise<unknown>;
            let apply: () => void;
            if (op.type === 'purchase') {
              allowed = true;
              act = () => post({ customerId: customerIds[op.customer], kind: 'purchase', amount: op.amount });
              apply = () => (balances[op.customer] += op.amount);
            } else if (op.type === 'charge') {
              const run = runs[op.run];
              allowed = run.charged === 0;
              act = async () => {
                chargeIds[op.run] = (await post({
                  customerId: customerIds[run.customer], kind: 'charge', amount: -op.amount, generationId: runIds[op.run], chatId: chats[run.customer].id,
                })).id;
              };
              apply = () => {
                run.charged = op.amount;
                balances[run.customer] -= op.amount;
              };
            } else if (op.type === 'autoRefund') {
              const run = runs[op.run];
              allowed = run.charged > 0 && run.refunded === 0 && run.credited + run.reserved === 0;
              act = () => post({
                customerId: customerIds[run.customer], kind: 'auto_refund', amount: run.charged || 1, generationId: runIds[op.run],
                chatId: chats[run.customer].id, reversesId: chargeIds[op.run] ?? 'no-charge',
              });
              apply = () => {
                run.refunded = run.charged;
                balances[run.customer] += run.charged;
              };
            } else if (op.type === 'credit') {
              const run = runs[op.run];
              allowed = run.refunded + run.credited + run.reserved + op.tokens <= run.charged;
              let id = '';
              act = async () => {
                id = await credits.create(customerIds[run.customer], [{ generation_id: runIds[op.run], tokens: op.tokens }], op.pending ? 'pending_approval' : 'applied');
              };
              apply = () => {
                grants.push({ run: op.run, tokens: op.tokens, status: op.pending ? 'pending' : 'applied', id });
                if (op.pending) run.reserved += op.tokens;
                else {
                  run.credited += op.tokens;
                  balances[run.customer] += op.tokens;
                }
              };
            } else {
              const grant = grants[op.credit];
              if (!grant) continue;
              const run = runs[grant.run];
              if (op.type === 'approve') {
                allowed = grant.status === 'pending';
                act = () => credits.approve(grant.id);
                apply = () => {
                  grant.status = 'applied';
                  run.reserved -= grant.tokens;
                  run.credited += grant.tokens;
                  balances[run.customer] += grant.tokens;
                };
              } else if (op.type === 'reject') {
                allowed = grant.status === 'pending';
                act = () => credits.reject(grant.id);
                apply = () => {
                  grant.status = 'rejected';
                  run.reserved -= grant.tokens;
                };
              } else {
                allowed = grant.status === 'applied';
                act = () => credits.voidCredit(grant.id);
                apply = () => {
                  grant.status = 'voided';
                  run.credited -= grant.tokens;
                  balances[run.customer] -= grant.tokens;
                };
              }
            }
            let accepted = true;
            try {
              await act();
            } catch {
              accepted = false;
            }
            expect(accepted).toBe(allowed);
            if (accepted) apply();
          }

          for (const [i, id] of customerIds.entries()) {
            expect(await ledgerRepository.balanceOf(t.ctx.storage, id)).toBe(balances[i]);
          }
          for (const [i, id] of runIds.entries()) {
            expect(await generationRepository.byId(t.ctx.storage, id)).toMatchObject({
              tokens_charged: runs[i].charged, tokens_auto_refunded: runs[i].refunded,
              tokens_credited: runs[i].credited, tokens_reserved: runs[i].reserved,
            });
          }
          expect(await verifyLedger(t.ctx.storage)).toMatchObject({ ok: true, problems: [] });
        } finally {
          await t.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  });
});
