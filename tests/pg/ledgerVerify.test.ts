/**
 * ledger:verify's checks on PostgreSQL (server/ledger/ledgerCheck.ts): their PostgreSQL texts
 * (db/repositories/integrityRepository.ts) pass a consistent ledger, and name each kind of row a
 * tamperer broke, in code and as `npm run ledger:verify` with DATABASE_URL set; `npm run backup`
 * there points to pg_dump. The tamperer turns the triggers off for its session (a superuser can),
 * as the SQLite tests drop them.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRepository, type NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import type { Storage, Transaction } from '../../db/storage/types.ts';
import { writeCreditEvent } from '../../server/delivery/creditEventWriter.ts';
import { verifyLedger, verifyLedgerAfter } from '../../server/ledger/ledgerCheck.ts';
import { runCli } from '../server/support/cli.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const NOW = '2026-01-01T00:00:00.000Z';
let counter = 0;
const newId = (prefix: string): string => `${prefix}_${++counter}`;

let database: FreshDatabase;
let storage: Storage;
beforeAll(async () => {
  database = await freshDatabase();
  storage = createPostgresStorage(database.pool);
});
afterAll(async () => {
  await database?.drop();
});

/** Posts an entry whose balance_after follows the customer's balance; credit entries get their event first, as the ledger does. */
async function post(tx: Transaction, entry: Partial<NewLedgerEntry> & Pick<NewLedgerEntry, 'customer_id' | 'kind' | 'amount'>): Promise<NewLedgerEntry> {
  const balance = (await ledgerRepository.balanceForPosting(tx, entry.customer_id)) ?? 0;
  const full: NewLedgerEntry = {
    id: newId('txn'), balance_after: balance + entry.amount, created_at: NOW, recorded_at: NOW,
    generation_id: null, chat_id: null, tool: null, reverses_id: null, credit_id: null, ...entry,
  };
  if (full.kind === 'manual_credit') await writeCreditEvent(tx, full);
  if (full.kind === 'credit_void') await writeCreditEvent(tx, full, 'staff');
  await ledgerRepository.insert(tx, full);
  return full;
}

interface World {
  customer: string;
  staff: string;
  charged: string;
  credit: string;
  creditEntry: string;
  voidedCredit: string;
}

/** A customer with a purchase, two charged runs (one refunded), an applied credit and a voided one. */
async function buildWorld(): Promise<World> {
  return storage.transaction(async (tx) => {
    const customer = newId('cus');
    const chat = newId('chat');
    const staff = newId('stf');
    await tx.run('INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES (?, ?, ?, ?, ?, ?)',
      [customer, 'Maya Chen', `${customer}@example.com`, 'creator', NOW, NOW]);
    await tx.run('INSERT INTO chats (id, customer_id, title, created_at) VALUES (?, ?, ?, ?)', [chat, customer, 'Product shots', NOW]);
    await tx.run("INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES (?, ?, 'Lou Lead', 'lead', ?, ?)",
      [staff, `${staff}@tokendesk.test`, NOW, NOW]);
    await post(tx, { customer_id: customer, kind: 'purchase', amount: 500 });

    const run = async (status: string, charge: number, refund: boolean): Promise<string> => {
      const id = newId('gen');
      await tx.run("INSERT INTO generations (id, chat_id, customer_id, tool, status, started_at, status_at) VALUES (?, ?, ?, 'image', ?, ?, ?)",
        [id, chat, customer, status, NOW, NOW]);
      const entry = await post(tx, { customer_id: customer, kind: 'charge', amount: -charge, generation_id: id, chat_id: chat });
      if (refund) await post(tx, { customer_id: customer, kind: 'auto_refund', amount: charge, generation_id: id, chat_id: chat, reverses_id: entry.id });
      return id;
    };
    const charged = await run('succeeded', 40, false);
    await run('failed', 60, true);
    const other = await run('succeeded', 30, false);

    const credit = async (generation: string, tokens: number): Promise<{ id: string; entry: NewLedgerEntry }> => {
      const id = newId('crd');
      await tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES (?, ?, ?, 'off_prompt', 'T-1', 'a cat', 'a dog', ?, 'applied', ?, ?)`, [id, customer, tokens, staff, newId('key'), NOW]);
      await tx.run('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, ?, ?)', [id, generation, tokens]);
      return { id, entry: await post(tx, { customer_id: customer, kind: 'manual_credit', amount: tokens, credit_id: id }) };
    };
    const applied = await credit(charged, 25);
    const voided = await credit(other, 30);
    await tx.run("UPDATE credits SET status = 'voided' WHERE id = ?", [voided.id]);
    await post(tx, { customer_id: customer, kind: 'credit_void', amount: -30, credit_id: voided.id, reverses_id: voided.entry.id });
    return { customer, staff, charged, credit: applied.id, creditEntry: applied.entry.id, voidedCredit: voided.id };
  });
}

/** A write with every trigger off, as a tamperer with the owner's rights could make it. */
const tamper = (sql: string, params: unknown[]): Promise<unknown> =>
  storage.transaction(async (tx) => {
    await tx.run('SET LOCAL session_replication_role = replica');
    return tx.run(sql, params);
  });

describe('ledger:verify on PostgreSQL', () => {
  it('passes a consistent ledger, over the whole database and after a seq', async () => {
    await buildWorld();
    const whole = await verifyLedger(storage);
    expect(whole).toEqual({ ok: true, entries: 8, problems: [] });
    expect(await verifyLedgerAfter(storage, 0)).toEqual({ ok: true, entries: 8, problems: [] });
    expect(runCli('ledgerVerify.ts', [], { DATABASE_URL: database.url })).toMatchObject({ status: 0, stdout: expect.stringMatching(/Ledger OK: 8 entries/) });
  });

  it('names each row a tamperer broke, over the whole database and in the scope of the entries that touch it', async () => {
    const before = (await storage.get<{ seq: number }>('SELECT MAX(seq) AS seq FROM ledger_entries'))?.seq ?? 0;
    const w = await buildWorld();
    await tamper('UPDATE customers SET balance = balance + 1000 WHERE id = ?', [w.customer]);
    await tamper("UPDATE ledger_entries SET balance_after = balance_after + 1 WHERE id = ?", [w.creditEntry]);
    await tamper('UPDATE generations SET tokens_credited = 0 WHERE id = ?', [w.charged]);
    await tamper('UPDATE credits SET amount = 26 WHERE id = ?', [w.credit]);
    await tamper(`UPDATE credit_events SET body = replace(body, '"amount":25', '"amount":"25"') WHERE id = ?`, [w.creditEntry]);
    await tamper('UPDATE credit_day_totals SET open_tokens = open_tokens + 5 WHERE staff_id = ?', [w.staff]);

    const expected = [
      `customer ${w.customer}: balance 1455 but its ledger entries sum to 455`,
      `ledger entry ${w.creditEntry} (customer ${w.customer}): balance_after 456, running sum 455`,
      `run ${w.charged}: counters charged/refunded/credited/reserved 40/0/0/0 but entries say 40/0/25/0`,
      `credit ${w.credit} (applied, 26 tokens): ledger credit 25, void none, items 25`,
      `credit day totals of ${w.staff} on 2026-01-01: 30/55 but the credits sum to 26/56`,
      `manual_credit ${w.creditEntry} of 25: its credit event says credit.applied of 25, body ${w.creditEntry} of 25`,
    ];
    const whole = await verifyLedger(storage);
    expect(whole.ok).toBe(false);
    expect(whole.problems).toEqual(expected);
    const cli = runCli('ledgerVerify.ts', [], { DATABASE_URL: database.url });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`customer ${w.customer}: balance 1455 but its ledger entries sum to 455`);
    const scoped = await verifyLedgerAfter(storage, before);
    expect(scoped).toMatchObject({ ok: false, entries: 8 });
    expect(scoped.problems).toEqual(expect.arrayContaining(expected));
    // The scope leaves out the first world, which is still consistent; the entry after the edited one shows in the set-based running check too.
    expect(scoped.problems.every((p) => !p.includes('cus_1:') && !p.includes('(customer cus_1)'))).toBe(true);
  });
});

describe('npm run backup on PostgreSQL', () => {
  it('says to use pg_dump, and writes no file', () => {
    const file = join(tmpdir(), `td-backup-${process.pid}.db`);
    const result = runCli('backup.ts', [file], { DATABASE_URL: database.url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/This database is PostgreSQL: back it up with pg_dump/);
    expect(result.stdout).toBe('');
    expect(existsSync(file)).toBe(false);
  });
});
