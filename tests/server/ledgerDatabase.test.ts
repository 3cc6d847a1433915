import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generationRepository } from '../../db/repositories/generationRepository.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { creditOps } from './support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const count = (sql: string, ...params: unknown[]): Promise<number | undefined> => t.value<number>(sql, params);
const run = (id: string) => generationRepository.byId(t.ctx.storage, id);

// The refusals below are the database's own (triggers, CHECKs, unique indexes). A trigger raises the same
// words on both engines; a CHECK or unique index is worded "CHECK constraint failed" / "UNIQUE constraint
// failed" by SQLite and "violates check constraint" / "violates unique constraint" by PostgreSQL.
const CHECK = /check constraint/i;
const UNIQUE = /unique constraint/i;

describe('the ledger as the database keeps it', () => {
  it('posts entries with a running balance_after and keeps the balance equal to their sum', async () => {
    const customer = await buildCustomer(t.ctx, { balance: 100 });
    const chat = await buildChat(t.ctx, customer.id);
    await buildRun(t.ctx, chat, customer.id, { charge: 30 });
    await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 20, autoRefund: true });
    const entries = await t.rows('SELECT kind, amount, balance_after FROM ledger_entries WHERE customer_id = ? ORDER BY seq', [customer.id]);
    expect(entries).toEqual([
      { kind: 'purchase', amount: 100, balance_after: 100 },
      { kind: 'charge', amount: -30, balance_after: 70 },
      { kind: 'charge', amount: -20, balance_after: 50 },
      { kind: 'auto_refund', amount: 20, balance_after: 70 },
    ]);
    expect(await count('SELECT balance FROM customers WHERE id = ?', customer.id)).toBe(70);
    expect(await verifyLedger(t.ctx.storage)).toMatchObject({ ok: true, entries: 4 });
  });

  it('refuses UPDATE and DELETE of ledger entries', async () => {
    const customer = await buildCustomer(t.ctx, { balance: 10 });
    await expect(t.run('UPDATE ledger_entries SET amount = 1000')).rejects.toThrow(/append-only/);
    await expect(t.run('DELETE FROM ledger_entries')).rejects.toThrow(/append-only/);
    expect(await count('SELECT amount FROM ledger_entries WHERE customer_id = ?', customer.id)).toBe(10);
  });

  it('refuses an entry whose balance_after is not the running balance, and wrong signs', async () => {
    const customer = await buildCustomer(t.ctx, { balance: 10 });
    const insert = (id: string, kind: string, amount: number, balanceAfter: number) =>
      t.run(
        `INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at)
          VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
        [id, customer.id, kind, amount, balanceAfter],
      );
    await expect(insert('x1', 'purchase', 5, 999)).rejects.toThrow(/balance_after/);
    await expect(insert('x2', 'purchase', -5, 5)).rejects.toThrow(CHECK);
    await expect(insert('x3', 'plan_grant', 0, 10)).rejects.toThrow(CHECK);
    expect(await count('SELECT COUNT(*) FROM ledger_entries')).toBe(1);
  });

  it('allows one auto_refund per charge, equal to the charge', async () => {
    const customer = await buildCustomer(t.ctx, { balance: 100 });
    const chat = await buildChat(t.ctx, customer.id);
    const charged = await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 40 });
    const refund = (amount: number) =>
      t.ctx.storage.transaction((tx) => t.ctx.ledger.append(tx, {
        customerId: customer.id, kind: 'auto_refund', amount, generationId: charged.id, chatId: chat.id, reversesId: charged.chargeId,
      }));
    await expect(refund(39)).rejects.toThrow(/whole charge/);
    await refund(40);
    await expect(refund(40)).rejects.toThrow(UNIQUE);
    expect(await count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'auto_refund'")).toBe(1);
    expect(await run(charged.id)).toMatchObject({ tokens_charged: 40, tokens_auto_refunded: 40 });
  });

  it('never lets a run get back more than it was charged, whoever tries', async () => {
    const staff = await buildStaff(t.ctx);
    const ops = creditOps(t.ctx, staff.id);
    const customer = await buildCustomer(t.ctx, { balance: 100 });
    const chat = await buildChat(t.ctx, customer.id);
    const refunded = await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 25, autoRefund: true });
    const charged = await buildRun(t.ctx, chat, customer.id, { charge: 30 });

    await expect(ops.create(customer.id, [{ generation_id: refunded.id, tokens: 1 }], 'applied')).rejects.toThrow(CHECK);
    await ops.create(customer.id, [{ generation_id: charged.id, tokens: 20 }], 'applied');
    await expect(ops.create(customer.id, [{ generation_id: charged.id, tokens: 11 }], 'applied')).rejects.toThrow(CHECK);
    const pending = await ops.create(customer.id, [{ generation_id: charged.id, tokens: 10 }], 'pending_approval');
    // The pending grant holds the last 10 tokens: nothing else may claim them.
    await expect(ops.create(customer.id, [{ generation_id: charged.id, tokens: 1 }], 'applied')).rejects.toThrow(CHECK);
    await ops.approve(pending);
    expect(await run(charged.id)).toMatchObject({ tokens_charged: 30, tokens_credited: 30, tokens_reserved: 0 });
    expect(await count('SELECT COUNT(*) FROM credits')).toBe(2);
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([]);
  });

  it('voids a manual credit once, whole, and frees the run again', async () => {
    const staff = await buildStaff(t.ctx);
    const ops = creditOps(t.ctx, staff.id);
    const customer = await buildCustomer(t.ctx, { balance: 50 });
    const chat = await buildChat(t.ctx, customer.id);
    const charged = await buildRun(t.ctx, chat, customer.id, { charge: 30 });
    const credit = await ops.create(customer.id, [{ generation_id: charged.id, tokens: 30 }], 'applied');
    await ops.voidCredit(credit);
    await expect(ops.voidCredit(credit)).rejects.toThrow(/not applied/);
    expect(await run(charged.id)).toMatchObject({ tokens_credited: 0 });
    expect(await count('SELECT balance FROM customers WHERE id = ?', customer.id)).toBe(20);
    await expect(t.run("UPDATE credits SET status = 'applied'")).rejects.toThrow(/not allowed/);
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([]);
  });

  it('lets ledger:verify name a balance that drifted from its entries', async () => {
    const customer = await buildCustomer(t.ctx, { balance: 10 });
    await t.run('UPDATE customers SET balance = 11 WHERE id = ?', [customer.id]);
    const result = await verifyLedger(t.ctx.storage);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toContain(`customer ${customer.id}: balance 11 but its ledger entries sum to 10`);
  });
});
