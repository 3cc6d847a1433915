import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGenerationRepository } from '../../db/repositories/generationRepository.ts';
import { checkLedger } from '../../server/ledger/ledgerCheck.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { creditOps } from './support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.cleanup());

const count = (sql: string, ...params: unknown[]): number => t.db.prepare(sql).pluck().get(...params) as number;

describe('the ledger as the database keeps it', () => {
  it('posts entries with a running balance_after and keeps the balance equal to their sum', () => {
    const customer = buildCustomer(t.ctx, { balance: 100 });
    const chat = buildChat(t.ctx, customer.id);
    buildRun(t.ctx, chat, customer.id, { charge: 30 });
    buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 20, autoRefund: true });
    const entries = t.db.prepare('SELECT kind, amount, balance_after FROM ledger_entries WHERE customer_id = ? ORDER BY seq').all(customer.id);
    expect(entries).toEqual([
      { kind: 'purchase', amount: 100, balance_after: 100 },
      { kind: 'charge', amount: -30, balance_after: 70 },
      { kind: 'charge', amount: -20, balance_after: 50 },
      { kind: 'auto_refund', amount: 20, balance_after: 70 },
    ]);
    expect(count('SELECT balance FROM customers WHERE id = ?', customer.id)).toBe(70);
    expect(checkLedger(t.db)).toMatchObject({ ok: true, entries: 4 });
  });

  it('refuses UPDATE and DELETE of ledger entries', () => {
    const customer = buildCustomer(t.ctx, { balance: 10 });
    expect(() => t.db.prepare('UPDATE ledger_entries SET amount = 1000').run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM ledger_entries').run()).toThrow(/append-only/);
    expect(count('SELECT amount FROM ledger_entries WHERE customer_id = ?', customer.id)).toBe(10);
  });

  it('refuses an entry whose balance_after is not the running balance, and wrong signs', () => {
    const customer = buildCustomer(t.ctx, { balance: 10 });
    const insert = t.db.prepare(`INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at)
      VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`);
    expect(() => insert.run('x1', customer.id, 'purchase', 5, 999)).toThrow(/balance_after/);
    expect(() => insert.run('x2', customer.id, 'purchase', -5, 5)).toThrow(/CHECK/);
    expect(() => insert.run('x3', customer.id, 'plan_grant', 0, 10)).toThrow(/CHECK/);
    expect(count('SELECT COUNT(*) FROM ledger_entries')).toBe(1);
  });

  it('allows one auto_refund per charge, equal to the charge', () => {
    const customer = buildCustomer(t.ctx, { balance: 100 });
    const chat = buildChat(t.ctx, customer.id);
    const run = buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 40 });
    const refund = (amount: number) => () =>
      t.db.transaction(() => t.ctx.ledger.post({
        customerId: customer.id, kind: 'auto_refund', amount, generationId: run.id, chatId: chat.id, reversesId: run.chargeId,
      })).immediate();
    expect(refund(39)).toThrow(/whole charge/);
    refund(40)();
    expect(refund(40)).toThrow(/UNIQUE/);
    expect(count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'auto_refund'")).toBe(1);
    expect(createGenerationRepository(t.db).byId(run.id)).toMatchObject({ tokens_charged: 40, tokens_auto_refunded: 40 });
  });

  it('never lets a run get back more than it was charged, whoever tries', async () => {
    const staff = await buildStaff(t.ctx);
    const ops = creditOps(t.ctx, staff.id);
    const customer = buildCustomer(t.ctx, { balance: 100 });
    const chat = buildChat(t.ctx, customer.id);
    const refunded = buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 25, autoRefund: true });
    const run = buildRun(t.ctx, chat, customer.id, { charge: 30 });

    expect(() => ops.create(customer.id, [{ generation_id: refunded.id, tokens: 1 }], 'applied')).toThrow(/CHECK/);
    ops.create(customer.id, [{ generation_id: run.id, tokens: 20 }], 'applied');
    expect(() => ops.create(customer.id, [{ generation_id: run.id, tokens: 11 }], 'applied')).toThrow(/CHECK/);
    const pending = ops.create(customer.id, [{ generation_id: run.id, tokens: 10 }], 'pending_approval');
    // The pending grant holds the last 10 tokens: nothing else may claim them.
    expect(() => ops.create(customer.id, [{ generation_id: run.id, tokens: 1 }], 'applied')).toThrow(/CHECK/);
    ops.approve(pending);
    expect(createGenerationRepository(t.db).byId(run.id)).toMatchObject({ tokens_charged: 30, tokens_credited: 30, tokens_reserved: 0 });
    expect(count('SELECT COUNT(*) FROM credits')).toBe(2);
    expect(checkLedger(t.db).ok).toBe(true);
  });

  it('voids a manual credit once, whole, and frees the run again', async () => {
    const staff = await buildStaff(t.ctx);
    const ops = creditOps(t.ctx, staff.id);
    const customer = buildCustomer(t.ctx, { balance: 50 });
    const chat = buildChat(t.ctx, customer.id);
    const run = buildRun(t.ctx, chat, customer.id, { charge: 30 });
    const credit = ops.create(customer.id, [{ generation_id: run.id, tokens: 30 }], 'applied');
    ops.voidCredit(credit);
    expect(() => ops.voidCredit(credit)).toThrow(/not applied/);
    expect(createGenerationRepository(t.db).byId(run.id)).toMatchObject({ tokens_credited: 0 });
    expect(count('SELECT balance FROM customers WHERE id = ?', customer.id)).toBe(20);
    expect(() => t.db.prepare("UPDATE credits SET status = 'applied'").run()).toThrow(/not allowed/);
    expect(checkLedger(t.db).ok).toBe(true);
  });

  it('lets ledger:verify name a balance that drifted from its entries', () => {
    const customer = buildCustomer(t.ctx, { balance: 10 });
    t.db.prepare('UPDATE customers SET balance = 11 WHERE id = ?').run(customer.id);
    const result = checkLedger(t.db);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toContain(`customer ${customer.id}: balance 11 but its ledger entries sum to 10`);
  });
});
