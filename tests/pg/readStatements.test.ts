/**
 * The read API's statements on PostgreSQL (docs/postgres.md, The storage seam): every list,
 * record, lookup and report statement of the read resources runs on PostgreSQL through the seam,
 * and answers the same rows, in the same order, as SQLite's statement over the same rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { assetQueries } from '../../db/repositories/assetQueries.ts';
import { chatQueries } from '../../db/repositories/chatQueries.ts';
import { customerQueries } from '../../db/repositories/customerQueries.ts';
import { generationQueries } from '../../db/repositories/generationQueries.ts';
import type { ListQueries, ListRequest, SqlParams } from '../../db/repositories/listStatements.ts';
import { reportQueries, type CreditGrouping } from '../../db/repositories/reportQueries.ts';
import { lookupStatements } from '../../db/repositories/lookupQueries.ts';
import { transactionQueries } from '../../db/repositories/transactionQueries.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import { statementFor, type Storage, type Transaction } from '../../db/storage/types.ts';
import { graceCutoff } from '../../server/ledger/refundState.ts';
import { lookup } from '../../server/resources/lookup.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const NOW = '2026-11-20T12:00:00.000Z';
const clock = () => new Date(NOW);
const at = (day: string, time = '10:00:00.000'): string => `2026-${day}T${time}Z`;

let pgDatabase: FreshDatabase;
let postgres: Storage;
let sqlite: Storage;
let sqliteDir: string;

// ── The rows, written the same way on both engines ────────────────────────────────────────────

const insertCustomer = (tx: Transaction, id: string, name: string, email: string, plan: string, createdAt: string) =>
  tx.run('INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES (?, ?, ?, ?, ?, ?)', [id, name, email, plan, createdAt, createdAt]);

const insertChat = (tx: Transaction, id: string, customer: string, title: string | null, createdAt: string) =>
  tx.run('INSERT INTO chats (id, customer_id, title, created_at) VALUES (?, ?, ?, ?)', [id, customer, title, createdAt]);

interface RunRow { id: string; chat: string; customer: string; tool: string; status: string; started: string; finished: string | null }
const insertRun = (tx: Transaction, r: RunRow) =>
  tx.run(`INSERT INTO generations (id, chat_id, customer_id, tool, model, prompt, status, started_at, finished_at, status_at)
    VALUES (?, ?, ?, ?, 'm-1', 'a red fox', ?, ?, ?, ?)`, [r.id, r.chat, r.customer, r.tool, r.status, r.started, r.finished, r.started]);

/** Balances by customer, as the entries leave them (the triggers check each balance_after). */
const balances = new Map<string, number>();
interface EntryRow { id: string; customer: string; kind: string; amount: number; at: string; run?: string; chat?: string; tool?: string; reverses?: string; credit?: string }
async function post(tx: Transaction, e: EntryRow): Promise<void> {
  const balance = (balances.get(e.customer) ?? 0) + e.amount;
  await tx.run(`INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, chat_id, tool, reverses_id, credit_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  [e.id, e.customer, e.kind, e.amount, balance, e.at, e.at, e.run ?? null, e.chat ?? null, e.tool ?? null, e.reverses ?? null, e.credit ?? null]);
  balances.set(e.customer, balance);
}

/** A credit event, which every credit entry needs before it. */
const insertEvent = (tx: Transaction, id: string, credit: string, customer: string, amount: number, createdAt: string) => {
  const type = amount > 0 ? 'credit.applied' : 'credit.voided';
  return tx.run(`INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, credit, customer, type, amount, JSON.stringify({ type, id }), createdAt, createdAt]);
};

interface CreditFields { id: string; customer: string; amount: number; reason: string; status: string; createdAt: string; decidedBy?: string; decidedAt?: string }
const insertCredit = (tx: Transaction, c: CreditFields) =>
  tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, decided_by, decided_at, idempotency_key, created_at)
    VALUES (?, ?, ?, ?, 'T-1', 'a cat', 'a dog', 'stf_agent', ?, ?, ?, ?, ?)`,
  [c.id, c.customer, c.amount, c.reason, c.status, c.decidedBy ?? null, c.decidedAt ?? null, `key-${c.id}`, c.createdAt]);

async function writeRows(storage: Storage): Promise<void> {
  balances.clear();
  await storage.transaction(async (tx) => {
    await tx.run(`INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES
      ('stf_agent', 'ada.agent@desk.test', 'Ada Agent', 'agent', ?, ?), ('stf_lead', 'lee.lead@desk.test', 'Lee Lead', 'lead', ?, ?)`,
    [at('01-01'), at('01-01'), at('01-01'), at('01-01')]);
    // Names in both cases, an underscore and a percent sign: NOCASE order, LIKE's case and its escapes.
    await insertCustomer(tx, 'cus_a', 'Grace Hopper', 'Grace.Hopper@Navy.example', 'creator', at('10-01'));
    await insertCustomer(tx, 'cus_b', 'ada Lovelace', 'ada@example.com', 'pro', at('10-02'));
    await insertCustomer(tx, 'cus_c', 'Zed_50%', 'zed@example.com', 'pro', at('10-03'));
    await insertCustomer(tx, 'cus_d', 'Grace Two', 'grace.hopper@navy.example', 'creator', at('10-04'));
    await insertCustomer(tx, 'cus_e', 'Zeda', 'ZEDA@example.com', 'creator', at('10-05'));

    await insertChat(tx, 'chat_1', 'cus_a', 'Product shots', at('11-01'));
    await insertChat(tx, 'chat_2', 'cus_a', null, at('11-02'));
    await insertChat(tx, 'c7f3a9e2-41d0-4b8e-9a55-0e2f6d1c8b74', 'cus_b', 'Avatars', at('11-03'));
    const chat3 = 'c7f3a9e2-41d0-4b8e-9a55-0e2f6d1c8b74';

    await post(tx, { id: 'txn_p1', customer: 'cus_a', kind: 'purchase', amount: 500, at: at('10-01', '11:00:00.000') });
    await post(tx, { id: 'txn_p2', customer: 'cus_b', kind: 'purchase', amount: 300, at: at('10-02', '11:00:00.000') });
    await post(tx, { id: 'txn_g1', customer: 'cus_c', kind: 'plan_grant', amount: 50, at: at('10-03', '11:00:00.000') });

    const runs: RunRow[] = [
      { id: 'gen_1', chat: 'chat_1', customer: 'cus_a', tool: 'image', status: 'succeeded', started: at('11-01', '10:01:00.000'), finished: at('11-01', '10:02:00.000') },
      { id: 'gen_2', chat: 'chat_1', customer: 'cus_a', tool: 'image', status: 'failed', started: at('11-01', '10:03:00.000'), finished: at('11-01', '10:04:00.000') },
      { id: 'gen_3', chat: 'chat_1', customer: 'cus_a', tool: 'video', status: 'failed', started: at('11-20', '11:50:00.000'), finished: at('11-20', '11:55:00.000') },
      { id: 'gen_4', chat: 'chat_2', customer: 'cus_a', tool: 'image', status: 'failed', started: at('11-02', '10:04:00.000'), finished: at('11-02', '10:05:00.000') },
      { id: 'gen_5', chat: chat3, customer: 'cus_b', tool: 'video', status: 'queued', started: at('11-03', '10:01:00.000'), finished: null },
      { id: 'gen_6', chat: chat3, customer: 'cus_b', tool: 'video', status: 'succeeded', started: at('11-03', '10:02:00.000'), finished: at('11-03', '10:03:00.000') },
      { id: 'gen_7', chat: chat3, customer: 'cus_b', tool: 'image', status: 'succeeded', started: at('11-03', '10:03:00.000'), finished: at('11-03', '10:04:00.000') },
    ];
    for (const run of runs) await insertRun(tx, run);
    const charge = (run: RunRow, amount: number) =>
      post(tx, { id: `txn_c_${run.id}`, customer: run.customer, kind: 'charge', amount: -amount, at: run.started, run: run.id, chat: run.chat, tool: run.tool });
    await charge(runs[0], 30);
    await charge(runs[1], 20);
    await post(tx, { id: 'txn_r_gen_2', customer: 'cus_a', kind: 'auto_refund', amount: 20, at: at('11-01', '10:05:00.000'), run: 'gen_2', chat: 'chat_1', tool: 'image', reverses: 'txn_c_gen_2' });
    await charge(runs[2], 10);
    await charge(runs[3], 10);
    await charge(runs[6], 40);

    await tx.run(`INSERT INTO assets (id, generation_id, customer_id, kind, mime, url, thumbnail_url, width, height, duration_ms, bytes, created_at) VALUES
      ('ast_1', 'gen_1', 'cus_a', 'image', 'image/png', '/media/a.png', '/media/a.png', 1024, 768, NULL, 1234, ?),
      ('ast_2', 'gen_3', 'cus_a', 'video', 'video/mp4', '/media/b.mp4', NULL, NULL, NULL, 5000, NULL, ?),
      ('ast_3', 'gen_7', 'cus_b', 'image', 'image/png', '/media/c.png', '/media/c.png', 512, 512, NULL, 99, ?)`,
    [at('11-01', '10:02:00.000'), at('11-20', '11:55:00.000'), at('11-03', '10:04:00.000')]);
  });

  // Grants: applied on a run, goodwill, applied then voided, rejected; a lead decides the agent's.
  await storage.transaction(async (tx) => {
    await insertCredit(tx, { id: 'crd_1', customer: 'cus_b', amount: 15, reason: 'visual_artifacts', status: 'applied', createdAt: at('11-05'), decidedBy: 'stf_lead', decidedAt: at('11-05', '12:00:00.000') });
    await tx.run('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, ?, ?)', ['crd_1', 'gen_7', 15]);
    await insertEvent(tx, 'txn_m_crd_1', 'crd_1', 'cus_b', 15, at('11-05', '12:00:00.000'));
    await post(tx, { id: 'txn_m_crd_1', customer: 'cus_b', kind: 'manual_credit', amount: 15, at: at('11-05', '12:00:00.000'), credit: 'crd_1' });

    await insertCredit(tx, { id: 'crd_2', customer: 'cus_a', amount: 5, reason: 'goodwill', status: 'applied', createdAt: at('11-06') });
    await insertEvent(tx, 'txn_m_crd_2', 'crd_2', 'cus_a', 5, at('11-06'));
    await post(tx, { id: 'txn_m_crd_2', customer: 'cus_a', kind: 'manual_credit', amount: 5, at: at('11-06'), credit: 'crd_2' });

    await insertCredit(tx, { id: 'crd_3', customer: 'cus_b', amount: 10, reason: 'off_prompt', status: 'applied', createdAt: at('11-06', '11:00:00.000'), decidedBy: 'stf_lead', decidedAt: at('11-06', '11:30:00.000') });
    await tx.run('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, ?, ?)', ['crd_3', 'gen_7', 10]);
    await insertEvent(tx, 'txn_m_crd_3', 'crd_3', 'cus_b', 10, at('11-06', '11:30:00.000'));
    await post(tx, { id: 'txn_m_crd_3', customer: 'cus_b', kind: 'manual_credit', amount: 10, at: at('11-06', '11:30:00.000'), credit: 'crd_3' });
  });
  await storage.transaction(async (tx) => {
    await tx.run(`UPDATE credits SET status = 'voided', voided_by = 'stf_lead', voided_at = ?, void_reason = 'mistake' WHERE id = 'crd_3'`, [at('11-07')]);
    await insertEvent(tx, 'txn_v_crd_3', 'crd_3', 'cus_b', -10, at('11-07'));
    await post(tx, { id: 'txn_v_crd_3', customer: 'cus_b', kind: 'credit_void', amount: -10, at: at('11-07'), credit: 'crd_3', reverses: 'txn_m_crd_3' });
    await insertCredit(tx, { id: 'crd_4', customer: 'cus_a', amount: 5, reason: 'duplicate_run', status: 'rejected', createdAt: at('11-08'), decidedBy: 'stf_lead', decidedAt: at('11-08', '09:00:00.000') });
    await tx.run('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, ?, ?)', ['crd_4', 'gen_1', 5]);
  });
}

beforeAll(async () => {
  pgDatabase = await freshDatabase();
  postgres = createPostgresStorage(pgDatabase.pool);
  sqliteDir = mkdtempSync(join(tmpdir(), 'td-read-'));
  const path = join(sqliteDir, 'desk.db');
  const db = openDatabase(path);
  migrate(db);
  db.close();
  sqlite = createSqliteStorage(path);
  await writeRows(sqlite);
  await writeRows(postgres);
});
afterAll(async () => {
  await sqlite?.close();
  if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  await pgDatabase?.drop();
});

// ── The comparisons ───────────────────────────────────────────────────────────────────────────

/** Both engines' answers to the same call; PostgreSQL's must equal SQLite's, and `expected` when given. */
async function same<T>(read: (storage: Storage) => Promise<T>): Promise<T> {
  const [fromSqlite, fromPostgres] = [await read(sqlite), await read(postgres)];
  expect(fromPostgres).toEqual(fromSqlite);
  return fromPostgres;
}

const ids = (rows: { id: string }[]): string[] => rows.map((row) => row.id);

interface ListCase<Row> {
  queries: ListQueries<Row>;
  /** Filters to try, each with the ids it must find in the default order. */
  filters: [Record<string, unknown>, string[]][];
  /** A filter every sort is tried with. */
  sortFilter: Record<string, unknown>;
  params?: SqlParams;
}

const request = (filter: Record<string, unknown>, field: string, order: 'ASC' | 'DESC', offset = 0, limit = 50): ListRequest => ({
  filter, sort: { field, order }, offset, limit,
});

/** Pages, counts and capped counts of every filter, every sort both ways, and a page further on. */
async function checkList<Row extends { id: string }>(c: ListCase<Row>): Promise<void> {
  const { spec } = c.queries;
  const params = c.params ?? {};
  const { field, order } = spec.defaultSort;
  for (const [filter, expected] of c.filters) {
    const rows = await same((s) => c.queries.page(s, request(filter, field, order), params));
    expect({ filter, ids: ids(rows) }).toEqual({ filter, ids: expected });
    expect(await same((s) => c.queries.count(s, request(filter, field, order), params))).toBe(expected.length);
    expect(await same((s) => c.queries.count(s, request(filter, field, order), params, 2))).toBe(Math.min(expected.length, 2));
    await same((s) => c.queries.page(s, request(filter, field, order, 1, 2), params));
  }
  for (const sortField of Object.keys(spec.sorts)) {
    for (const sortOrder of ['ASC', 'DESC'] as const) {
      for (const filter of [{}, c.sortFilter]) {
        const rows = await same((s) => c.queries.page(s, request(filter, sortField, sortOrder), params));
        expect(rows.length, `${sortField} ${sortOrder} ${JSON.stringify(filter)}`).toBeGreaterThan(0);
      }
    }
  }
  const first = c.filters[0][1][0];
  expect((await same((s) => c.queries.byId(s, first, params)))?.id).toBe(first);
  expect(await same((s) => c.queries.byId(s, 'no-such-id', params))).toBeUndefined();
}

describe('the read resources on PostgreSQL', () => {
  it('lists customers: search by name, e-mail or id prefix in any case, LIKE wildcards taken literally, NOCASE order', async () => {
    await checkList({
      queries: customerQueries,
      filters: [
        [{}, ['cus_b', 'cus_a', 'cus_d', 'cus_c', 'cus_e']],
        [{ id: 'cus_c' }, ['cus_c']],
        [{ id: ['cus_a', 'cus_e', 'nobody'] }, ['cus_a', 'cus_e']],
        [{ q: 'gr' }, ['cus_a', 'cus_d']],
        [{ q: 'GRACE.h' }, ['cus_a', 'cus_d']],
        [{ q: 'zed_' }, ['cus_c']],
        [{ q: 'Zed_5' }, ['cus_c']],
        [{ q: 'zeda@' }, ['cus_e']],
        [{ q: '%' }, []],
        [{ q: 'cus_' }, ['cus_b', 'cus_a', 'cus_d', 'cus_c', 'cus_e']],
        [{ plan: 'pro' }, ['cus_b', 'cus_c']],
        [{ q: 'z', plan: 'creator' }, ['cus_e']],
      ],
      sortFilter: { plan: 'creator' },
    });
  });

  it('lists chats with their run counts, and sorts untitled chats as SQLite does', async () => {
    const chat3 = 'c7f3a9e2-41d0-4b8e-9a55-0e2f6d1c8b74';
    await checkList({
      queries: chatQueries,
      filters: [
        [{}, [chat3, 'chat_2', 'chat_1']],
        [{ id: ['chat_1', chat3] }, [chat3, 'chat_1']],
        [{ customer_id: 'cus_a' }, ['chat_2', 'chat_1']],
        [{ customer_id: ['cus_a', 'cus_b'], created_at_gte: at('11-02') }, [chat3, 'chat_2']],
        [{ created_at_lte: at('11-02') }, ['chat_2', 'chat_1']],
      ],
      sortFilter: { customer_id: 'cus_a' },
    });
    const titled = await same((s) => chatQueries.page(s, request({ customer_id: 'cus_a' }, 'title', 'ASC')));
    expect(titled.map((chat) => [chat.id, chat.title, chat.generation_count])).toEqual([['chat_2', null, 1], ['chat_1', 'Product shots', 3]]);
  });

  it('lists runs with their refund state by every state, status, tool, chat, customer and time', async () => {
    const cutoff = await same((s) => graceCutoff(s, clock));
    expect(cutoff).toBe('2026-11-20T11:45:00.000Z');
    const all = ['gen_3', 'gen_7', 'gen_6', 'gen_5', 'gen_4', 'gen_2', 'gen_1'];
    await checkList({
      queries: generationQueries,
      params: { grace_cutoff: cutoff },
      filters: [
        [{}, all],
        [{ id: ['gen_1', 'gen_5'] }, ['gen_5', 'gen_1']],
        [{ chat_id: 'chat_1' }, ['gen_3', 'gen_2', 'gen_1']],
        [{ customer_id: 'cus_b', started_at_gte: at('11-03', '10:02:00.000') }, ['gen_7', 'gen_6']],
        [{ tool: 'video' }, ['gen_3', 'gen_6', 'gen_5']],
        [{ status: 'failed' }, ['gen_3', 'gen_4', 'gen_2']],
        [{ status: 'succeeded', customer_id: 'cus_b' }, ['gen_7', 'gen_6']],
        [{ status: 'queued' }, ['gen_5']],
        [{ refund_state: 'in_progress' }, ['gen_5']],
        [{ refund_state: 'not_charged' }, ['gen_6']],
        [{ refund_state: 'auto_refunded' }, ['gen_2']],
        [{ refund_state: 'credited' }, ['gen_7']],
        [{ refund_state: 'refund_pending' }, ['gen_3']],
        [{ refund_state: 'refund_missing', chat_id: 'chat_2' }, ['gen_4']],
        [{ refund_state: 'none' }, ['gen_1']],
        [{ started_at_lte: at('11-01', '23:00:00.000') }, ['gen_2', 'gen_1']],
      ],
      sortFilter: { customer_id: 'cus_a' },
    });
    const record = await same((s) => generationQueries.byId(s, 'gen_2', { grace_cutoff: cutoff }));
    expect(record).toMatchObject({ refund_state: 'auto_refunded', tokens_charged: 20, tokens_auto_refunded: 20, auto_refunded_at: at('11-01', '10:05:00.000') });
  });

  it('lists ledger entries by kind, tool, run, chat, customer and time', async () => {
    await checkList({
      queries: transactionQueries,
      filters: [
        [{ customer_id: 'cus_b' }, ['txn_v_crd_3', 'txn_m_crd_3', 'txn_m_crd_1', 'txn_c_gen_7', 'txn_p2']],
        [{}, ['txn_c_gen_3', 'txn_v_crd_3', 'txn_m_crd_3', 'txn_m_crd_2', 'txn_m_crd_1', 'txn_c_gen_7', 'txn_c_gen_4',
          'txn_r_gen_2', 'txn_c_gen_2', 'txn_c_gen_1', 'txn_g1', 'txn_p2', 'txn_p1']],
        [{ id: ['txn_p1', 'txn_g1'] }, ['txn_g1', 'txn_p1']],
        [{ generation_id: 'gen_2' }, ['txn_r_gen_2', 'txn_c_gen_2']],
        [{ chat_id: 'chat_1', created_at_gte: at('11-01', '10:02:00.000') }, ['txn_c_gen_3', 'txn_r_gen_2', 'txn_c_gen_2']],
        [{ kind: 'manual_credit' }, ['txn_m_crd_3', 'txn_m_crd_2', 'txn_m_crd_1']],
        [{ kind: 'charge', customer_id: 'cus_a' }, ['txn_c_gen_3', 'txn_c_gen_4', 'txn_c_gen_2', 'txn_c_gen_1']],
        [{ tool: 'video' }, ['txn_c_gen_3']],
        [{ created_at_lte: at('10-02', '12:00:00.000') }, ['txn_p2', 'txn_p1']],
      ],
      sortFilter: { customer_id: 'cus_a' },
    });
  });

  it('lists the outputs of runs', async () => {
    await checkList({
      queries: assetQueries,
      filters: [
        [{}, ['ast_2', 'ast_3', 'ast_1']],
        [{ id: ['ast_1', 'ast_3'] }, ['ast_3', 'ast_1']],
        [{ generation_id: 'gen_3' }, ['ast_2']],
        [{ customer_id: 'cus_a', kind: 'image' }, ['ast_1']],
        [{ kind: 'video' }, ['ast_2']],
      ],
      sortFilter: { customer_id: 'cus_a' },
    });
  });

  it('looks up a chat ID in any case or URL, an e-mail in any case (the newest account), and other ids', async () => {
    const found = async (input: string) => same((s) => lookup(s, input));
    const chat3 = 'c7f3a9e2-41d0-4b8e-9a55-0e2f6d1c8b74';
    expect(await found(chat3.toUpperCase())).toEqual({ type: 'chat', id: chat3, customer_id: 'cus_b', chat_id: chat3 });
    expect(await found(`https://studio.example.com/agents/a1/chats/${chat3}?tab=1`)).toMatchObject({ type: 'chat', id: chat3 });
    expect(await found('GRACE.HOPPER@navy.example')).toEqual({ type: 'customer', id: 'cus_d', customer_id: 'cus_d' });
    expect(await found('ZEDA@EXAMPLE.COM')).toMatchObject({ type: 'customer', id: 'cus_e' });
    expect(await found('gen_7')).toEqual({ type: 'generation', id: 'gen_7', customer_id: 'cus_b', chat_id: chat3 });
    expect(await found('TXN_P1')).toEqual({ type: 'transaction', id: 'txn_p1', customer_id: 'cus_a' });
    expect(await found('cus_c')).toEqual({ type: 'customer', id: 'cus_c', customer_id: 'cus_c' });
    const missing = async (storage: Storage) => (await lookup(storage, 'nobody@example.com').catch((error: Error) => error)) as Error;
    expect((await missing(postgres)).message).toBe((await missing(sqlite)).message);
  });

  it('reports credits by day, agent, reason and tool, refunds by tool, and the decisions on a person\'s grants', async () => {
    const period = { from: at('10-01'), to: at('11-30') };
    const expected: Record<CreditGrouping, unknown[]> = {
      day: [{ key: '2026-11-05', label: '2026-11-05', count: 1, tokens: 15 }, { key: '2026-11-06', label: '2026-11-06', count: 1, tokens: 5 }],
      agent: [{ key: 'stf_agent', label: 'Ada Agent', count: 2, tokens: 20 }],
      reason: [{ key: 'visual_artifacts', label: 'visual_artifacts', count: 1, tokens: 15 }, { key: 'goodwill', label: 'goodwill', count: 1, tokens: 5 }],
      tool: [{ key: 'image', label: 'image', count: 1, tokens: 15 }, { key: 'no run (goodwill)', label: 'no run (goodwill)', count: 1, tokens: 5 }],
    };
    for (const groupBy of ['day', 'agent', 'reason', 'tool'] as const) {
      expect(await same((s) => reportQueries.credits(s, groupBy, period))).toEqual(expected[groupBy]);
    }
    expect(await same((s) => reportQueries.refunds(s, period, '2026-11-20T11:45:00.000Z'))).toEqual([
      { tool: 'image', failed: 2, not_charged: 0, auto_refunded: 1, refund_pending: 0, refund_missing: 1 },
      { tool: 'video', failed: 1, not_charged: 0, auto_refunded: 0, refund_pending: 1, refund_missing: 0 },
    ]);
    // The grant views carry JSON texts, spaced differently by each engine: compared as values.
    const decisions = async (s: Storage) =>
      (await reportQueries.decisionsFor(s, 'stf_agent', at('11-01'), 50)).map((row) => ({
        ...row, items_json: JSON.parse(row.items_json) as unknown, delivery_json: JSON.parse(row.delivery_json) as unknown,
      }));
    expect(ids(await same(decisions))).toEqual(['crd_4', 'crd_3', 'crd_1']);
    expect(await same(async (s) => (await reportQueries.decisionsFor(s, 'stf_lead', at('11-01'), 50)).length)).toBe(0);
  });

  it('can answer the searches SQLite answers from an index from PostgreSQL\'s own: lower() for case, the partial indexes through the implied terms', async () => {
    // A few rows are read fastest by a scan; with scans priced out, the plan shows whether an index can serve.
    const plans = (read: (tx: Transaction) => Promise<string[]>) =>
      postgres.transaction(async (tx) => {
        await tx.run('SET LOCAL enable_seqscan = off');
        return (await read(tx)).join('\n');
      });
    const grace = { grace_cutoff: '2026-11-20T11:45:00.000Z' };
    const search = await plans((tx) => customerQueries.explain(tx, request({ q: 'gr' }, 'name', 'ASC'), 'page'));
    for (const index of ['customers_name', 'customers_email', 'customers_pkey']) expect(search).toContain(`Bitmap Index Scan on ${index}`);
    expect(await plans((tx) => customerQueries.explain(tx, request({}, 'name', 'ASC'), 'page'))).toContain('Index Scan using customers_name');
    expect(await plans((tx) => generationQueries.explain(tx, request({ refund_state: 'refund_missing' }, 'started_at', 'DESC'), 'cappedCount', grace)))
      .toContain('generations_unrefunded_started');
    expect(await plans((tx) => generationQueries.explain(tx, request({ status: 'failed' }, 'started_at', 'DESC'), 'page', grace))).toContain('generations_unsettled');
    expect(await plans((tx) => transactionQueries.explain(tx, request({ kind: 'auto_refund' }, 'created_at', 'DESC'), 'page'))).toContain('ledger_uncommon_kind');
    const email = await plans(async (tx) =>
      (await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${statementFor(lookupStatements.email, 'postgres')}`, ['a@b.example'])).map((line) => line['QUERY PLAN']));
    expect(email).toContain('customers_email');
  });
});
