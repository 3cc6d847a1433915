/**
 * The money invariants as PostgreSQL enforces them on its own (docs/postgres.md):
 * raw SQL that breaks one is refused with the words SQLite uses, and the valid
 * case goes through. Mirrors the SQLite tests of tests/server
 * (ledgerDatabase, deliveryOutbox, auditChain), plus what only PostgreSQL
 * adds: TRUNCATE refused, and the application's role without UPDATE, DELETE
 * or TRUNCATE on the ledger and the audit log.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { migratePostgres } from '../../db/postgres/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createAuditAppender } from '../../server/audit/auditLog.ts';
import { asAdmin, databaseUrl, freshDatabase, type FreshDatabase } from '../support/postgres.ts';

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

type Queryable = pg.Pool | pg.PoolClient;
const NOW = '2026-01-01T00:00:00.000Z';
let counter = 0;
const newId = (prefix: string): string => `${prefix}_${++counter}`;

const one = async <T>(sql: string, params: unknown[] = [], on: Queryable = db.pool): Promise<T> =>
  Object.values((await on.query(sql, params)).rows[0] ?? {})[0] as T;

/** Runs `work` in one transaction on one connection, as a service would. */
async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, pool: pg.Pool = db.pool): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** A refusal by a trigger, in SQLite's words (SQLSTATE 23000). */
const byTrigger = (words: RegExp) => ({ code: '23000', message: expect.stringMatching(words) });
const byCheck = { code: '23514' };
const byUnique = { code: '23505' };

interface Entry {
  id?: string;
  customer_id: string;
  kind: string;
  amount: number;
  balance_after?: number;
  generation_id?: string | null;
  chat_id?: string | null;
  reverses_id?: string | null;
  credit_id?: string | null;
}

/** Posts a ledger entry whose balance_after follows the customer's balance, unless the entry says otherwise. */
async function post(entry: Entry, on: Queryable = db.pool): Promise<string> {
  const id = entry.id ?? newId('txn');
  const balance = entry.balance_after ?? (Number(await one('SELECT balance FROM customers WHERE id = $1', [entry.customer_id], on)) + entry.amount);
  await on.query(
    `INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, chat_id, reverses_id, credit_id)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10)`,
    [id, entry.customer_id, entry.kind, entry.amount, balance, NOW, entry.generation_id ?? null, entry.chat_id ?? null, entry.reverses_id ?? null, entry.credit_id ?? null],
  );
  return id;
}

async function buildCustomer(balance = 0, on: Queryable = db.pool): Promise<string> {
  const id = newId('cus');
  await on.query('INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES ($1, $2, $3, $4, $5, $5)',
    [id, 'Maya Chen', `${id}@example.com`, 'creator', NOW]);
  if (balance > 0) await post({ customer_id: id, kind: 'purchase', amount: balance }, on);
  return id;
}

interface World { customer: string; chat: string }
async function buildWorld(balance = 100, on: Queryable = db.pool): Promise<World> {
  const customer = await buildCustomer(balance, on);
  const chat = newId('chat');
  await on.query('INSERT INTO chats (id, customer_id, title, created_at) VALUES ($1, $2, $3, $4)', [chat, customer, 'Product shots', NOW]);
  return { customer, chat };
}

interface Run { id: string; chargeId?: string; refundId?: string }
async function buildRun(w: World, options: { status?: string; charge?: number; autoRefund?: boolean } = {}, on: Queryable = db.pool): Promise<Run> {
  const id = newId('gen');
  await on.query(`INSERT INTO generations (id, chat_id, customer_id, tool, status, started_at, status_at)
    VALUES ($1, $2, $3, 'image', $4, $5, $5)`, [id, w.chat, w.customer, options.status ?? 'succeeded', NOW]);
  const run: Run = { id };
  if (options.charge) run.chargeId = await post({ customer_id: w.customer, kind: 'charge', amount: -options.charge, generation_id: id, chat_id: w.chat }, on);
  if (options.autoRefund) {
    run.refundId = await post({ customer_id: w.customer, kind: 'auto_refund', amount: options.charge!, generation_id: id, chat_id: w.chat, reverses_id: run.chargeId }, on);
  }
  return run;
}

async function buildStaff(on: Queryable = db.pool): Promise<string> {
  const id = newId('stf');
  await on.query(`INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES ($1, $2, 'Sam Agent', 'agent', $3, $3)`,
    [id, `${id}@tokendesk.test`, NOW]);
  return id;
}

/** A credit event, the outbox row every credit entry needs first. */
async function writeEvent(on: Queryable, e: { id: string; credit: string; customer: string; amount: number }): Promise<void> {
  const type = e.amount > 0 ? 'credit.applied' : 'credit.voided';
  await on.query(`INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, due_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, [e.id, e.credit, e.customer, type, e.amount, JSON.stringify({ type, id: e.id }), NOW]);
}

interface Credit { id: string; customer: string; amount: number; entryId?: string }

/** What the credit service writes: the grant, its runs and, when applied, its event and manual_credit entry. */
async function createCredit(w: World, staff: string, items: [string, number][], status: 'applied' | 'pending_approval' | 'rejected'): Promise<Credit> {
  return inTransaction(async (c) => {
    const credit: Credit = { id: newId('crd'), customer: w.customer, amount: items.reduce((sum, [, tokens]) => sum + tokens, 0) };
    await c.query(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
      VALUES ($1, $2, $3, 'off_prompt', 'T-1', 'a cat', 'a dog', $4, $5, $6, $7)`, [credit.id, w.customer, credit.amount, staff, status, newId('key'), NOW]);
    for (const [generation, tokens] of items) {
      await c.query('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES ($1, $2, $3)', [credit.id, generation, tokens]);
    }
    if (status === 'applied') credit.entryId = await applyEntry(c, credit);
    return credit;
  });
}

async function applyEntry(c: Queryable, credit: Credit): Promise<string> {
  const id = newId('txn');
  await writeEvent(c, { id, credit: credit.id, customer: credit.customer, amount: credit.amount });
  return post({ id, customer_id: credit.customer, kind: 'manual_credit', amount: credit.amount, credit_id: credit.id }, c);
}

async function approve(credit: Credit): Promise<void> {
  await inTransaction(async (c) => {
    await c.query("UPDATE credits SET status = 'applied' WHERE id = $1", [credit.id]);
    credit.entryId = await applyEntry(c, credit);
  });
}

async function voidCredit(credit: Credit): Promise<string> {
  return inTransaction(async (c) => {
    await c.query("UPDATE credits SET status = 'voided' WHERE id = $1", [credit.id]);
    const id = newId('txn');
    await writeEvent(c, { id, credit: credit.id, customer: credit.customer, amount: -credit.amount });
    return post({ id, customer_id: credit.customer, kind: 'credit_void', amount: -credit.amount, credit_id: credit.id, reverses_id: credit.entryId }, c);
  });
}

const runCounters = async (id: string) =>
  (await db.pool.query('SELECT tokens_charged, tokens_auto_refunded, tokens_credited, tokens_reserved, charge_id, auto_refund_id FROM generations WHERE id = $1', [id])).rows[0];
const balanceOf = (customer: string) => one<number>('SELECT balance FROM customers WHERE id = $1', [customer]);
const sumOf = (customer: string) => one<number>('SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE customer_id = $1', [customer]);

describe('the ledger as PostgreSQL keeps it', () => {
  it('posts entries with a running balance_after and keeps the balance equal to their sum and the runs counted', async () => {
    const w = await buildWorld(100);
    const charged = await buildRun(w, { charge: 30 });
    const refunded = await buildRun(w, { status: 'failed', charge: 20, autoRefund: true });
    const entries = (await db.pool.query('SELECT kind, amount, balance_after FROM ledger_entries WHERE customer_id = $1 ORDER BY seq', [w.customer])).rows;
    expect(entries).toEqual([
      { kind: 'purchase', amount: 100, balance_after: 100 },
      { kind: 'charge', amount: -30, balance_after: 70 },
      { kind: 'charge', amount: -20, balance_after: 50 },
      { kind: 'auto_refund', amount: 20, balance_after: 70 },
    ]);
    expect(await balanceOf(w.customer)).toBe(70);
    expect(await sumOf(w.customer)).toBe(70);
    expect(await runCounters(charged.id)).toMatchObject({ tokens_charged: 30, tokens_auto_refunded: 0, charge_id: charged.chargeId });
    expect(await runCounters(refunded.id)).toMatchObject({ tokens_charged: 20, tokens_auto_refunded: 20, auto_refund_id: refunded.refundId });
  });

  it('refuses an entry whose balance_after is not the running balance, wrong signs and wrong links', async () => {
    const customer = await buildCustomer(10);
    const entry = (e: Partial<Entry>) => post({ customer_id: customer, kind: 'purchase', amount: 5, ...e });
    await expect(entry({ balance_after: 999 })).rejects.toMatchObject(byTrigger(/balance_after does not follow the customer balance/));
    await expect(entry({ customer_id: 'cus_nobody', balance_after: 5 })).rejects.toMatchObject(byTrigger(/balance_after does not follow/));
    await expect(entry({ amount: -5 })).rejects.toMatchObject(byCheck);
    await expect(entry({ kind: 'plan_grant', amount: 0 })).rejects.toMatchObject(byCheck);
    await expect(entry({ kind: 'purchase', reverses_id: 'txn_x' })).rejects.toMatchObject(byCheck);
    await expect(entry({ kind: 'plan_grant', credit_id: 'crd_x' })).rejects.toMatchObject(byCheck);
    // The trigger runs before the CHECKs, on SQLite as here: a charge without a run is refused by it.
    await expect(entry({ kind: 'charge', amount: -5 })).rejects.toMatchObject(byTrigger(/charge customer differs from the run customer/));
    await expect(entry({ kind: 'auto_refund', amount: 5 })).rejects.toMatchObject(byTrigger(/auto_refund must reverse a whole charge/));
    expect(await one('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = $1', [customer])).toBe(1);
    await entry({ kind: 'plan_grant', amount: 7 });
    expect(await balanceOf(customer)).toBe(17);
  });

  it('charges a run once, and only for its own customer', async () => {
    const w = await buildWorld(100);
    const other = await buildWorld(100);
    const run = await buildRun(w);
    await expect(post({ customer_id: other.customer, kind: 'charge', amount: -10, generation_id: run.id })).rejects.toMatchObject(byTrigger(/charge customer differs/));
    await post({ customer_id: w.customer, kind: 'charge', amount: -10, generation_id: run.id });
    await expect(post({ customer_id: w.customer, kind: 'charge', amount: -10, generation_id: run.id })).rejects.toMatchObject(byUnique);
    expect(await runCounters(run.id)).toMatchObject({ tokens_charged: 10 });
  });

  it('allows one auto_refund per charge, equal to the charge, on the same run', async () => {
    const w = await buildWorld(100);
    const run = await buildRun(w, { status: 'failed', charge: 40 });
    const otherRun = await buildRun(w, { status: 'failed', charge: 40 });
    const refund = (amount: number, generation = run.id) =>
      post({ customer_id: w.customer, kind: 'auto_refund', amount, generation_id: generation, reverses_id: run.chargeId });
    await expect(refund(39)).rejects.toMatchObject(byTrigger(/auto_refund must reverse a whole charge of the same run/));
    await expect(refund(40, otherRun.id)).rejects.toMatchObject(byTrigger(/whole charge of the same run/));
    await refund(40);
    await expect(refund(40)).rejects.toMatchObject(byUnique);
    expect(await one("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'auto_refund' AND generation_id = $1", [run.id])).toBe(1);
    expect(await runCounters(run.id)).toMatchObject({ tokens_charged: 40, tokens_auto_refunded: 40 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of ledger entries, to the owner too', async () => {
    const customer = await buildCustomer(10);
    const refusal = byTrigger(/ledger entries are append-only/);
    await expect(db.pool.query('UPDATE ledger_entries SET amount = 1000')).rejects.toMatchObject(refusal);
    await expect(db.pool.query('DELETE FROM ledger_entries')).rejects.toMatchObject(refusal);
    // credit_events refers to the ledger, so a plain TRUNCATE stops even before the trigger.
    await expect(db.pool.query('TRUNCATE ledger_entries')).rejects.toMatchObject({ code: '0A000' });
    await expect(db.pool.query('TRUNCATE ledger_entries CASCADE')).rejects.toMatchObject({ code: '23000' });
    await expect(db.pool.query('TRUNCATE customers CASCADE')).rejects.toMatchObject({ code: '23000' });
    expect(await one('SELECT amount FROM ledger_entries WHERE customer_id = $1', [customer])).toBe(10);
  });

  it('makes concurrent entries of one customer wait for each other: one written from a stale balance is refused', async () => {
    const customer = await buildCustomer(10);
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await post({ customer_id: customer, kind: 'purchase', amount: 5, balance_after: 15 }, first);
      // Read the same balance the first one did, then wait for the first's lock on the customer.
      const late = post({ customer_id: customer, kind: 'purchase', amount: 7, balance_after: 17 }, second);
      const outcome = late.then(() => 'written', (error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.query('COMMIT');
      expect(await outcome).toMatchObject(byTrigger(/balance_after does not follow/));
      await second.query('ROLLBACK');
    } finally {
      first.release();
      second.release();
    }
    expect(await balanceOf(customer)).toBe(15);
    expect(await sumOf(customer)).toBe(15);
  });
  it('takes several entries of one customer in one statement, each checked against the one before; one wrong row refuses them all', async () => {
    const w = await buildWorld(100);
    const run = newId('gen');
    await db.pool.query(`INSERT INTO generations (id, chat_id, customer_id, tool, status, started_at, status_at)
      VALUES ($1, $2, $3, 'image', 'failed', $4, $4)`, [run, w.chat, w.customer, NOW]);
    const [charge, refund, grant] = [newId('txn'), newId('txn'), newId('txn')];
    const rows = (lastBalance: number) => [
      [charge, 'charge', -30, 70, run, null],
      [refund, 'auto_refund', 30, 100, run, charge],
      [grant, 'plan_grant', 5, lastBalance, null, null],
    ];
    const insertAll = (values: unknown[][]) => db.pool.query(
      `INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, reverses_id) VALUES
       ${values.map((_, i) => `($${i * 6 + 1}, '${w.customer}', $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, '${NOW}', '${NOW}', $${i * 6 + 5}, $${i * 6 + 6})`).join(', ')}`,
      values.flat(),
    );
    await expect(insertAll(rows(104))).rejects.toMatchObject(byTrigger(/balance_after does not follow the customer balance/));
    expect({ balance: await balanceOf(w.customer), entries: await one('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = $1', [w.customer]) })
      .toEqual({ balance: 100, entries: 1 });
    expect(await runCounters(run)).toMatchObject({ tokens_charged: 0, tokens_auto_refunded: 0, charge_id: null });

    await insertAll(rows(105));
    expect(await balanceOf(w.customer)).toBe(105);
    expect(await sumOf(w.customer)).toBe(105);
    // The refund's check saw the charge written by the same statement, and the run counts both.
    expect(await runCounters(run)).toMatchObject({ tokens_charged: 30, tokens_auto_refunded: 30, charge_id: charge, auto_refund_id: refund });
  });
});

describe('credits as PostgreSQL keeps them', () => {
  it('never lets a run get back more than it was charged, whoever tries; a pending credit holds its tokens', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(100);
    const refunded = await buildRun(w, { status: 'failed', charge: 25, autoRefund: true });
    const run = await buildRun(w, { charge: 30 });

    await expect(createCredit(w, staff, [[refunded.id, 1]], 'applied')).rejects.toMatchObject(byCheck);
    await createCredit(w, staff, [[run.id, 20]], 'applied');
    await expect(createCredit(w, staff, [[run.id, 11]], 'applied')).rejects.toMatchObject(byCheck);
    const pending = await createCredit(w, staff, [[run.id, 10]], 'pending_approval');
    expect(await runCounters(run.id)).toMatchObject({ tokens_credited: 20, tokens_reserved: 10 });
    // The pending grant holds the last 10 tokens: nothing else may claim them.
    await expect(createCredit(w, staff, [[run.id, 1]], 'applied')).rejects.toMatchObject(byCheck);
    await expect(createCredit(w, staff, [[run.id, 1]], 'pending_approval')).rejects.toMatchObject(byCheck);
    await approve(pending);
    expect(await runCounters(run.id)).toMatchObject({ tokens_charged: 30, tokens_credited: 30, tokens_reserved: 0 });
    expect(await one('SELECT COUNT(*) FROM credits WHERE customer_id = $1', [w.customer])).toBe(2);
    expect(await balanceOf(w.customer)).toBe(await sumOf(w.customer));
  });

  it('releases a rejected credit\'s reservation', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(100);
    const run = await buildRun(w, { charge: 30 });
    const pending = await createCredit(w, staff, [[run.id, 30]], 'pending_approval');
    await db.pool.query("UPDATE credits SET status = 'rejected' WHERE id = $1", [pending.id]);
    expect(await runCounters(run.id)).toMatchObject({ tokens_credited: 0, tokens_reserved: 0 });
    await createCredit(w, staff, [[run.id, 30]], 'applied');
  });

  it('writes a manual_credit only for an applied grant, for its amount and customer', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(100);
    const other = await buildCustomer();
    const run = await buildRun(w, { charge: 30 });
    const pending = await createCredit(w, staff, [[run.id, 30]], 'pending_approval');
    const attempt = (credit: Credit) => inTransaction((c) => applyEntry(c, credit));
    await expect(attempt(pending)).rejects.toMatchObject(byTrigger(/manual_credit must match an applied credit grant/));
    await db.pool.query("UPDATE credits SET status = 'applied' WHERE id = $1", [pending.id]);
    await expect(attempt({ ...pending, amount: 29 })).rejects.toMatchObject(byTrigger(/manual_credit must match an applied credit grant/));
    await expect(attempt({ ...pending, customer: other })).rejects.toMatchObject(byTrigger(/manual_credit must match an applied credit grant/));
    const entryId = await attempt(pending);
    // One manual_credit entry per grant.
    await expect(attempt(pending)).rejects.toMatchObject(byUnique);
    expect(await one('SELECT transaction_id IS NULL FROM credits WHERE id = $1', [pending.id])).toBe(true);
    expect(await one("SELECT id FROM ledger_entries WHERE kind = 'manual_credit' AND credit_id = $1", [pending.id])).toBe(entryId);
  });

  it('voids a manual credit once, whole, of a voided grant, and frees the run again', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(50);
    const run = await buildRun(w, { charge: 30 });
    const credit = await createCredit(w, staff, [[run.id, 30]], 'applied');
    const rawVoid = (amount: number, status: string) => inTransaction(async (c) => {
      await c.query('UPDATE credits SET status = $2 WHERE id = $1', [credit.id, status]);
      const id = newId('txn');
      await writeEvent(c, { id, credit: credit.id, customer: w.customer, amount });
      await post({ id, customer_id: w.customer, kind: 'credit_void', amount, credit_id: credit.id, reverses_id: credit.entryId }, c);
    });
    const refusal = byTrigger(/credit_void must reverse the whole manual credit of a voided grant/);
    await expect(rawVoid(-30, 'applied')).rejects.toMatchObject(refusal);
    await expect(rawVoid(-10, 'voided')).rejects.toMatchObject(refusal);
    await voidCredit(credit);
    // A second void of the same credit (the grant is voided already, so the status does not move).
    await expect(rawVoid(-30, 'voided')).rejects.toMatchObject(byUnique);
    expect(await runCounters(run.id)).toMatchObject({ tokens_credited: 0 });
    expect(await balanceOf(w.customer)).toBe(20);
    await expect(db.pool.query("UPDATE credits SET status = 'applied' WHERE id = $1", [credit.id])).rejects.toMatchObject(byTrigger(/credit status change not allowed/));
  });

  it('moves a grant\'s status only forward, and never deletes a grant or its runs', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(100);
    const run = await buildRun(w, { charge: 30 });
    const applied = await createCredit(w, staff, [[run.id, 10]], 'applied');
    const rejected = await createCredit(w, staff, [[run.id, 10]], 'rejected');
    const status = (credit: Credit, to: string) => db.pool.query('UPDATE credits SET status = $2 WHERE id = $1', [credit.id, to]);
    const notAllowed = byTrigger(/credit status change not allowed/);
    await expect(status(applied, 'pending_approval')).rejects.toMatchObject(notAllowed);
    await expect(status(applied, 'rejected')).rejects.toMatchObject(notAllowed);
    await expect(status(rejected, 'applied')).rejects.toMatchObject(notAllowed);
    await status(applied, 'applied');
    await expect(db.pool.query('DELETE FROM credits WHERE id = $1', [rejected.id])).rejects.toMatchObject(byTrigger(/credits are never deleted/));
    await expect(db.pool.query('TRUNCATE credits CASCADE')).rejects.toMatchObject({ code: '23000' });
    const immutable = byTrigger(/credit_items are immutable/);
    await expect(db.pool.query('UPDATE credit_items SET tokens = 1 WHERE credit_id = $1', [applied.id])).rejects.toMatchObject(immutable);
    await expect(db.pool.query('DELETE FROM credit_items WHERE credit_id = $1', [applied.id])).rejects.toMatchObject(immutable);
    await expect(db.pool.query('TRUNCATE credit_items')).rejects.toMatchObject(immutable);
  });

  it('keeps each requester\'s day totals: open (pending + applied) and requested (all but rejected)', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(500);
    const run = await buildRun(w, { charge: 400 });
    const totals = async () => (await db.pool.query('SELECT day, open_tokens, requested_tokens FROM credit_day_totals WHERE staff_id = $1', [staff])).rows;
    const applied = await createCredit(w, staff, [[run.id, 100]], 'applied');
    const pending = await createCredit(w, staff, [[run.id, 50]], 'pending_approval');
    await createCredit(w, staff, [[run.id, 7]], 'rejected');
    expect(await totals()).toEqual([{ day: '2026-01-01', open_tokens: 150, requested_tokens: 150 }]);
    await db.pool.query("UPDATE credits SET status = 'rejected' WHERE id = $1", [pending.id]);
    expect(await totals()).toEqual([{ day: '2026-01-01', open_tokens: 100, requested_tokens: 100 }]);
    await voidCredit(applied);
    expect(await totals()).toEqual([{ day: '2026-01-01', open_tokens: 0, requested_tokens: 100 }]);
  });

  it('counts a new grant in its day total at the COMMIT, or earlier when asked, and never a grant rolled back (migration 009)', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(500);
    const totals = async () => (await db.pool.query('SELECT open_tokens, requested_tokens FROM credit_day_totals WHERE staff_id = $1', [staff])).rows;
    const insert = (c: Queryable, amount: number) => c.query(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
      VALUES ($1, $2, $3, 'off_prompt', 'T-1', 'a cat', 'a dog', $4, 'pending_approval', $5, $6)`, [newId('crd'), w.customer, amount, staff, newId('key'), NOW]);
    const seen: unknown[] = [];
    await inTransaction(async (c) => {
      await insert(c, 40);
      // Deferred: the row is neither written nor locked by this grant yet.
      seen.push((await c.query('SELECT open_tokens FROM credit_day_totals WHERE staff_id = $1', [staff])).rows);
      await c.query('SET CONSTRAINTS credits_day_total_insert IMMEDIATE');
      seen.push((await c.query('SELECT open_tokens FROM credit_day_totals WHERE staff_id = $1', [staff])).rows);
      await insert(c, 2);
    });
    expect(seen).toEqual([[], [{ open_tokens: 40 }]]);
    expect(await totals()).toEqual([{ open_tokens: 42, requested_tokens: 42 }]);
    await expect(inTransaction(async (c) => {
      await insert(c, 1000);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect(await totals()).toEqual([{ open_tokens: 42, requested_tokens: 42 }]);
  });
});

describe('the other records as PostgreSQL keeps them', () => {
  it('counts a run\'s assets', async () => {
    const w = await buildWorld();
    const run = await buildRun(w, { charge: 10 });
    for (const kind of ['image', 'video']) {
      await db.pool.query(`INSERT INTO assets (id, generation_id, customer_id, kind, mime, url, bytes, created_at)
        VALUES ($1, $2, $3, $4, 'image/png', 'https://cdn.example.com/a.png', 10000000000000, $5)`, [newId('ast'), run.id, w.customer, kind, NOW]);
    }
    expect(await one('SELECT asset_count FROM generations WHERE id = $1', [run.id])).toBe(2);
    await expect(db.pool.query(`INSERT INTO assets (id, generation_id, customer_id, kind, mime, url, created_at)
      VALUES ($1, $2, $3, 'audio', 'audio/mp3', 'https://cdn.example.com/a.mp3', $4)`, [newId('ast'), run.id, w.customer, NOW])).rejects.toMatchObject(byCheck);
  });

  it('keeps one staff account per e-mail, ASCII case aside as SQLite\'s NOCASE, and per single sign-on subject', async () => {
    const staff = (email: string, subject: string | null = null) => db.pool.query(`INSERT INTO staff (id, email, name, role, external_subject, created_at, updated_at)
      VALUES ($1, $2, 'Lee', 'lead', $3, $4, $4)`, [newId('stf'), email, subject, NOW]);
    await staff('Lee@Tokendesk.test', 'sub-1');
    await expect(staff('lee@tokendesk.TEST')).rejects.toMatchObject(byUnique);
    // NOCASE folds A-Z only: these are two addresses on SQLite, and here.
    await staff('Ærø@tokendesk.test');
    await staff('ærø@tokendesk.test');
    await expect(staff('other@tokendesk.test', 'sub-1')).rejects.toMatchObject(byUnique);
    await expect(db.pool.query(`INSERT INTO staff (id, email, name, role, created_at, updated_at)
      VALUES ($1, 'x@tokendesk.test', 'X', 'owner', $2, $2)`, [newId('stf'), NOW])).rejects.toMatchObject(byCheck);
  });

  it('holds one credit policy row', async () => {
    expect((await db.pool.query('SELECT * FROM credit_policy')).rows).toEqual([{
      id: 1, approval_threshold: 500, agent_daily_limit: 2000, lead_approval_threshold: 5000,
      goodwill_requires_approval: 1, refund_grace_minutes: 15, updated_at: '1970-01-01T00:00:00.000Z', updated_by: null,
    }]);
    await expect(db.pool.query(`INSERT INTO credit_policy VALUES (2, 1, 1, 1, 0, 1, $1, NULL)`, [NOW])).rejects.toMatchObject(byCheck);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit events, to the owner too', async () => {
    await db.pool.query(`INSERT INTO audit_events (seq, at, actor_type, actor_id, action, entity_type, prev_hash, hash)
      VALUES (1, $1, 'system', 'system', 'x', 'y', '', $2)`, [NOW, randomBytes(16).toString('hex')]);
    const refusal = byTrigger(/audit events are append-only/);
    await expect(db.pool.query("UPDATE audit_events SET reason = 'x'")).rejects.toMatchObject(refusal);
    await expect(db.pool.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toMatchObject(refusal);
    await expect(db.pool.query('TRUNCATE audit_events')).rejects.toMatchObject(refusal);
    expect(await one('SELECT COUNT(*) FROM audit_events WHERE seq = 1')).toBe(1);
  });
});

describe('the credit event outbox as PostgreSQL keeps it', () => {
  async function deliveredWorld() {
    const staff = await buildStaff();
    const w = await buildWorld(200);
    const run = await buildRun(w, { charge: 120 });
    const credit = await createCredit(w, staff, [[run.id, 120]], 'applied');
    const voidId = await voidCredit(credit);
    return { w, credit, appliedId: credit.entryId!, voidId };
  }
  const update = (sql: string, id: string) => db.pool.query(sql, [id]);

  it('refuses a credit ledger entry without its event, and an event without its entry', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(200);
    const run = await buildRun(w, { charge: 120 });
    const credit = await createCredit(w, staff, [[run.id, 120]], 'applied');
    await db.pool.query("UPDATE credits SET status = 'voided' WHERE id = $1", [credit.id]);
    const voidEntry = { customer_id: w.customer, kind: 'credit_void', amount: -120, credit_id: credit.id, reverses_id: credit.entryId };
    const needsEvent = byTrigger(/a credit ledger entry needs its credit event, written first in the same transaction/);
    await expect(post(voidEntry)).rejects.toMatchObject(needsEvent);
    // An event that does not match the entry is no event for it.
    await expect(inTransaction(async (c) => {
      await writeEvent(c, { id: 'txn_mismatch', credit: credit.id, customer: w.customer, amount: -119 });
      await post({ ...voidEntry, id: 'txn_mismatch' }, c);
    })).rejects.toMatchObject(needsEvent);
    // An event with no ledger entry cannot commit: the entry's foreign key is checked at COMMIT.
    await expect(inTransaction((c) => writeEvent(c, { id: 'txn_ghost', credit: credit.id, customer: w.customer, amount: -120 })))
      .rejects.toMatchObject({ code: '23503' });
    expect(await one("SELECT COUNT(*) FROM credit_events WHERE id IN ('txn_ghost', 'txn_mismatch')")).toBe(0);
    await inTransaction(async (c) => {
      await writeEvent(c, { id: 'txn_void_ok', credit: credit.id, customer: w.customer, amount: -120 });
      await post({ ...voidEntry, id: 'txn_void_ok' }, c);
    });
  });

  it('keeps the body frozen, the event kept, delivered final and the void after its credit', async () => {
    const { appliedId, voidId } = await deliveredWorld();
    await expect(update("UPDATE credit_events SET body = '{}' WHERE id = $1", appliedId)).rejects.toMatchObject(byTrigger(/a credit event body is frozen/));
    await expect(update('UPDATE credit_events SET amount = 1 WHERE id = $1', appliedId)).rejects.toMatchObject(byTrigger(/frozen/));
    await expect(update('UPDATE credit_events SET seq = seq + 1000 WHERE id = $1', appliedId)).rejects.toMatchObject(byTrigger(/frozen/));
    await expect(update('DELETE FROM credit_events WHERE id = $1', appliedId)).rejects.toMatchObject(byTrigger(/credit events are never deleted/));
    await expect(db.pool.query('TRUNCATE credit_events')).rejects.toMatchObject(byTrigger(/credit events are never deleted/));
    await expect(update("UPDATE credit_events SET state = 'delivering', lease_token = 't' WHERE id = $1", voidId))
      .rejects.toMatchObject(byTrigger(/a void is delivered only after the credit it reverses/));
    await expect(update("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'webhook', due_at = NULL WHERE id = $1", voidId))
      .rejects.toMatchObject(byTrigger(/after the credit it reverses/));
    // The delivery columns move.
    await update("UPDATE credit_events SET state = 'delivering', lease_token = 't', attempts = attempts + 1 WHERE id = $1", appliedId);
    await update("UPDATE credit_events SET state = 'delivered', lease_token = NULL, delivered_at = 'now', delivered_via = 'webhook', due_at = NULL WHERE id = $1", appliedId);
    await expect(update("UPDATE credit_events SET state = 'pending', delivered_at = NULL, delivered_via = NULL, due_at = 'x' WHERE id = $1", appliedId))
      .rejects.toMatchObject(byTrigger(/a delivered credit event stays delivered/));
    await expect(update("UPDATE credit_events SET delivered_via = 'feed' WHERE id = $1", appliedId)).rejects.toMatchObject(byTrigger(/stays delivered/));
    await update("UPDATE credit_events SET confirmed_at = 'now' WHERE id = $1", appliedId);
    // Now the void may go.
    await update("UPDATE credit_events SET state = 'delivering', lease_token = 't' WHERE id = $1", voidId);
    await expect(update("UPDATE credit_events SET state = 'delivered', lease_token = NULL, delivered_at = 'now', delivered_via = 'carrier pigeon', due_at = NULL WHERE id = $1", voidId))
      .rejects.toMatchObject(byCheck);
    await expect(update("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'feed', due_at = NULL WHERE id = $1", voidId))
      .rejects.toMatchObject(byCheck);
  });

  it('lets the feed deliver a void before its credit, as SQLite does: only a push waits', async () => {
    const { voidId } = await deliveredWorld();
    await update("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'feed', due_at = NULL WHERE id = $1", voidId);
  });

  it('refuses a body that is not JSON or is 20,000 bytes or more (UTF-8 bytes, not characters)', async () => {
    const staff = await buildStaff();
    const w = await buildWorld(200);
    const run = await buildRun(w, { charge: 120 });
    const credit = await createCredit(w, staff, [[run.id, 120]], 'applied');
    await db.pool.query("UPDATE credits SET status = 'voided' WHERE id = $1", [credit.id]);
    const withBody = (body: string) => inTransaction(async (c) => {
      const id = newId('txn');
      await c.query(`INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, due_at)
        VALUES ($1, $2, $3, 'credit.voided', -120, $4, $5, $5)`, [id, credit.id, w.customer, body, NOW]);
      await post({ id, customer_id: w.customer, kind: 'credit_void', amount: -120, credit_id: credit.id, reverses_id: credit.entryId }, c);
    });
    await expect(withBody('{"type": ')).rejects.toMatchObject(byCheck);
    await expect(withBody('not json')).rejects.toMatchObject(byCheck);
    // 9,999 two-byte characters and two quotes: 10,001 characters, 20,000 bytes.
    await expect(withBody(`"${'é'.repeat(9_999)}"`)).rejects.toMatchObject(byCheck);
    await withBody(`"${'e'.repeat(19_997)}"`);
  });
});

describe('the same refusal on both engines', () => {
  // One world, written by the same statements on SQLite and here.
  const world = [
    "INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES ('par_c', 'N', 'n@x', 'p', 't', 't')",
    "INSERT INTO chats (id, customer_id, created_at) VALUES ('par_chat', 'par_c', 't')",
    "INSERT INTO generations (id, chat_id, customer_id, tool, status, started_at, status_at) VALUES ('par_g', 'par_chat', 'par_c', 'image', 'succeeded', 't', 't')",
    "INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at) VALUES ('par_buy', 'par_c', 'purchase', 100, 100, 't', 't')",
    "INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id) VALUES ('par_charge', 'par_c', 'charge', -30, 70, 't', 't', 'par_g')",
    "INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES ('par_s', 'par@x', 'S', 'agent', 't', 't')",
    `INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
       VALUES ('par_p', 'par_c', 10, 'off_prompt', 'T', 'a', 'b', 'par_s', 'pending_approval', 'par_k', 't')`,
    "INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES ('par_p', 'par_g', 10)",
  ];
  const entry = (values: string) =>
    `INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, reverses_id, credit_id) VALUES (${values})`;
  // Rows that break several rules at once: each engine names the same one.
  const refused: [string, string][] = [
    ['a wrong running balance', entry("'par_1', 'par_c', 'purchase', 5, 999, 't', 't', NULL, NULL, NULL")],
    ['a wrong sign and a wrong balance', entry("'par_2', 'par_c', 'purchase', -5, 999, 't', 't', NULL, NULL, NULL")],
    ['a wrong sign alone', entry("'par_3', 'par_c', 'purchase', -5, 65, 't', 't', NULL, NULL, NULL")],
    ['a charge without a run, with a wrong balance', entry("'par_4', 'par_c', 'charge', -5, 999, 't', 't', NULL, NULL, NULL")],
    ['a second charge of a run', entry("'par_5', 'par_c', 'charge', -30, 40, 't', 't', 'par_g', NULL, NULL")],
    ['a partial refund with a wrong balance', entry("'par_6', 'par_c', 'auto_refund', 10, 999, 't', 't', 'par_g', 'par_charge', NULL")],
    ['a manual credit of a pending grant without its event', entry("'par_7', 'par_c', 'manual_credit', 10, 80, 't', 't', NULL, NULL, 'par_p'")],
    ['a void of nothing without its event', entry("'par_8', 'par_c', 'credit_void', -10, 60, 't', 't', NULL, 'par_buy', 'par_p'")],
    ['a manual credit without a grant', entry("'par_9', 'par_c', 'manual_credit', 10, 80, 't', 't', NULL, NULL, NULL")],
    ['an update of the ledger', "UPDATE ledger_entries SET amount = 1 WHERE id = 'par_buy'"],
    ['a pending grant voided', "UPDATE credits SET status = 'voided' WHERE id = 'par_p'"],
    ['a second claim on reserved tokens', "INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES ('par_p', 'par_g', 1)"],
    ['a credit run removed', "DELETE FROM credit_items WHERE credit_id = 'par_p'"],
    ['a grant removed', "DELETE FROM credits WHERE id = 'par_p'"],
  ];

  /** A refusal in words both engines share: the trigger's own message, or the kind of constraint. */
  const sqliteWords = (message: string) =>
    /^CHECK constraint failed/.test(message) ? 'CHECK' : /^UNIQUE constraint failed/.test(message) ? 'UNIQUE' : message;
  const postgresWords = (error: { code?: string; message: string }) =>
    error.code === '23514' ? 'CHECK' : error.code === '23505' ? 'UNIQUE' : error.message;

  it.each(refused)('%s', async (_, sql) => {
    const sqlite = openDatabase(':memory:');
    let onSqlite: string;
    try {
      migrate(sqlite);
      for (const statement of world) sqlite.exec(statement);
      onSqlite = (() => {
        try {
          sqlite.exec(sql);
          return 'accepted';
        } catch (error) {
          return sqliteWords((error as Error).message);
        }
      })();
    } finally {
      sqlite.close();
    }
    const onPostgres = await inTransaction(async (c) => {
      for (const statement of world) await c.query(statement);
      const outcome = await c.query(sql).then(() => 'accepted', (error: { code?: string; message: string }) => postgresWords(error));
      // Leave nothing behind for the next case.
      throw Object.assign(new Error('roll back'), { outcome });
    }).catch((error: { outcome?: string }) => error.outcome);
    expect(onSqlite).not.toBe('accepted');
    expect(onPostgres).toBe(onSqlite);
  });
});

describe('the application\'s role', () => {
  let login: string;
  let app: pg.Pool;
  beforeAll(async () => {
    // A login role of the kind docs/postgres.md describes: a member of tokendesk_app and nothing more.
    login = `td_web_${randomBytes(4).toString('hex')}`;
    await asAdmin(`CREATE ROLE ${login} LOGIN IN ROLE tokendesk_app`);
    app = openPostgres(databaseUrl(db.url, db.name, login));
  });
  afterAll(async () => {
    await app?.end();
    if (login) await asAdmin(`DROP ROLE IF EXISTS ${login}`);
  });

  it('does the console\'s work: ingestion, credits with their events, voids, audit, delivery, sessions', async () => {
    const w = await buildWorld(100, app);
    const run = await buildRun(w, { status: 'failed', charge: 40 }, app);
    const staff = await buildStaff(app);
    const credit = await inTransaction(async (c) => {
      const created: Credit = { id: newId('crd'), customer: w.customer, amount: 40 };
      await c.query(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES ($1, $2, 40, 'missed_auto_refund', 'T-9', '', '', $3, 'applied', 'k', $4)`, [created.id, w.customer, staff, NOW]);
      await c.query('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES ($1, $2, 40)', [created.id, run.id]);
      created.entryId = await applyEntry(c, created);
      await c.query("UPDATE credits SET transaction_id = $2 WHERE id = $1", [created.id, created.entryId]);
      await c.query(`INSERT INTO audit_events (seq, at, actor_type, actor_id, action, entity_type, entity_id, prev_hash, hash)
        VALUES (1000, $1, 'staff', $2, 'credit.applied', 'credit', $3, '', $4)`, [NOW, staff, created.id, randomBytes(16).toString('hex')]);
      return created;
    }, app);
    await app.query("UPDATE credit_events SET state = 'delivering', lease_token = 't' WHERE id = $1", [credit.entryId]);
    await app.query("UPDATE credit_events SET state = 'delivered', lease_token = NULL, delivered_at = $2, delivered_via = 'webhook', due_at = NULL WHERE id = $1", [credit.entryId, NOW]);
    await app.query('INSERT INTO sessions (id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $4)', ['h', staff, 'c', NOW]);
    await app.query('DELETE FROM sessions WHERE id_hash = $1', ['h']);
    expect(await one('SELECT balance FROM customers WHERE id = $1', [w.customer], app)).toBe(100);
    // Starting up, an instance finds nothing to migrate: it may read, not change, the schema.
    expect(await migratePostgres(app)).toEqual([]);
  });

  it('appends audit events through audit_append, which also writes the day totals its transaction deferred', async () => {
    const w = await buildWorld(100, app);
    const staff = await buildStaff(app);
    const appender = createAuditAppender(() => new Date(NOW));
    const [event] = await createPostgresStorage(app).transaction(async (tx) => {
      await tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES (?, ?, 25, 'goodwill', 'T-10', '', '', ?, 'pending_approval', 'k-role', ?)`, [newId('crd'), w.customer, staff, NOW]);
      return appender.appendAll(tx, [{ actor: { type: 'system' }, action: 'role.checked', entityType: 'test' }]);
    });
    expect(await one('SELECT action FROM audit_events WHERE seq = $1', [event.seq], app)).toBe('role.checked');
    expect(await one('SELECT open_tokens FROM credit_day_totals WHERE staff_id = $1', [staff], app)).toBe(25);
  });

  it('says that migrations need the schema\'s owner when it is asked to make the schema', async () => {
    const empty = await freshDatabase({ migrated: false });
    const appOnEmpty = openPostgres(databaseUrl(empty.url, empty.name, login));
    try {
      await expect(migratePostgres(appOnEmpty)).rejects.toThrow(/permission denied for schema .*migrations need the role that owns the schema/);
    } finally {
      await appOnEmpty.end();
      await empty.drop();
    }
  });

  it('may not UPDATE, DELETE or TRUNCATE the ledger or the audit log: permission denied before any trigger', async () => {
    const denied = { code: '42501', message: expect.stringMatching(/permission denied/) };
    for (const [table, column] of [['ledger_entries', 'created_at'], ['audit_events', 'at']]) {
      await expect(app.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toMatchObject(denied);
      await expect(app.query(`DELETE FROM ${table}`)).rejects.toMatchObject(denied);
      await expect(app.query(`TRUNCATE ${table}`)).rejects.toMatchObject(denied);
    }
  });

  it('may truncate nothing, delete no grant or event, and neither turn the triggers off nor change the schema', async () => {
    const denied = { code: '42501' };
    await expect(app.query('TRUNCATE customers CASCADE')).rejects.toMatchObject(denied);
    await expect(app.query('TRUNCATE sessions')).rejects.toMatchObject(denied);
    await expect(app.query('DELETE FROM credits')).rejects.toMatchObject(denied);
    await expect(app.query('DELETE FROM credit_events')).rejects.toMatchObject(denied);
    await expect(app.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_no_update')).rejects.toMatchObject(denied);
    await expect(app.query("SET session_replication_role = 'replica'")).rejects.toMatchObject(denied);
    await expect(app.query('CREATE TABLE scratch (id integer)')).rejects.toMatchObject(denied);
  });
});
