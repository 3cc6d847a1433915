/**
 * Manual credits on PostgreSQL (docs/postgres.md): the credit views and lists answer as on SQLite,
 * and the races several instances can run — one idempotency key sent twice, two grants over one
 * run, two decisions on one grant, two requests against one daily limit — answer what SQLite's
 * single writer answers, never a 5xx. The service runs on the PostgreSQL storage; the audit log,
 * ledger and reversals it is built with still prepare their synchronous statements on a SQLite
 * connection when made, which their seam methods never use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditQueries } from '../../db/repositories/creditQueries.ts';
import { creditRepository } from '../../db/repositories/creditRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { CreditRequest } from '../../shared/credits.ts';
import { createAuditLog } from '../../server/audit/auditLog.ts';
import { createCreditReversals } from '../../server/credits/creditReversals.ts';
import { createCreditService, hashRequestBody, type CreditService, type Requester } from '../../server/credits/creditService.ts';
import { toApiError } from '../../server/errors.ts';
import { createLedger } from '../../server/ledger/ledger.ts';
import { manualClock, tempDatabase } from '../server/support/testApp.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const people = [
  `INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES
    ('s1', 'a@x', 'Ada', 'agent', 't', 't'), ('s2', 'b@x', 'Lee', 'lead', 't', 't'), ('s3', 'c@x', 'Lou', 'lead', 't', 't')`,
  `INSERT INTO customers (id, name, email, plan, created_at, source_at, balance) VALUES
    ('cu1', 'Maya', 'm@x', 'pro', 't', 't', 1000), ('cu2', 'Bo', 'b@x', 'pro', 't', 't', 0)`,
  `INSERT INTO chats (id, customer_id, created_at) VALUES ('ch1', 'cu1', 't'), ('ch2', 'cu2', 't')`,
];
const run = (id: string, customer: string, charged: number) =>
  `INSERT INTO generations (id, chat_id, customer_id, tool, status, started_at, status_at, tokens_charged)
   VALUES ('${id}', '${customer === 'cu1' ? 'ch1' : 'ch2'}', '${customer}', 'image', 'succeeded', 't', 't', ${charged})`;

describe('credit views and lists', () => {
  const grant = (id: string, customer: string, by: string, at: string) =>
    `INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
     VALUES ('${id}', '${customer}', 10, 'goodwill', 'T-1', 'e', 'r', '${by}', 'pending_approval', 'k-${id}', '${at}')`;
  const item = (credit: string, generation: string) => `INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES ('${credit}', '${generation}', 10)`;
  // Times on both sides of each 30-day bound, two grants at one instant, a rejected one.
  const rows = [
    ...people, run('g1', 'cu1', 1000), run('g2', 'cu1', 500), run('g3', 'cu2', 500),
    grant('c1', 'cu1', 's1', '2026-11-20T12:00:00.000Z'), item('c1', 'g1'), item('c1', 'g2'),
    grant('c2', 'cu1', 's1', '2026-10-21T12:00:00.000Z'), item('c2', 'g1'),
    grant('c3', 'cu1', 's1', '2026-10-21T11:59:59.999Z'), item('c3', 'g2'),
    grant('c4', 'cu1', 's2', '2026-10-22T00:00:00.000Z'),
    grant('c5', 'cu2', 's1', '2026-11-19T23:59:59.999Z'), item('c5', 'g3'),
    grant('c6', 'cu1', 's1', '2026-11-20T12:00:00.000Z'), item('c6', 'g1'),
    `UPDATE credits SET status = 'rejected', decided_by = 's2', decided_at = '2026-11-20T13:00:00.000Z' WHERE id = 'c4'`,
  ];
  // The JSON columns are parsed by the API (creditRecord.ts): their spacing may differ, not their content.
  const parsed = <T extends object>(list: T[]) =>
    list.map((row) => ({ ...row, items_json: JSON.parse(String((row as Record<string, unknown>).items_json)), delivery_json: JSON.parse(String((row as Record<string, unknown>).delivery_json)) }));

  async function everything(storage: Storage): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'none']) {
      const row = await creditRepository.viewById(storage, id);
      out[`view ${id}`] = row ? parsed([row]) : null;
    }
    out.period = parsed(await creditRepository.viewInPeriod(storage, '2026-10-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'));
    const filters = [
      {}, { customer_id: 'cu1' }, { customer_id: ['cu1', 'cu2'] }, { id: ['c1', 'c5'] }, { status: 'pending_approval' },
      { requested_by: 's1', created_at_gte: '2026-10-21T12:00:00.000Z' }, { delivery_state: 'pending' }, { delivery_state: 'delivered' },
      { ticket_ref: 'T-1', reason: 'goodwill' },
    ];
    for (const filter of filters) {
      for (const order of ['DESC', 'ASC'] as const) {
        const request = { filter, sort: { field: 'created_at', order }, offset: 1, limit: 3 };
        const name = JSON.stringify(request);
        out[`page ${name}`] = parsed(await creditQueries.page(storage, request));
        out[`count ${name}`] = await creditQueries.count(storage, request);
        out[`capped ${name}`] = await creditQueries.count(storage, request, {}, 2);
        out[`all ${name}`] = parsed(await storage.snapshot(async (snapshot) => {
          const all = [];
          for await (const row of creditQueries.streamAll(snapshot, request)) all.push(row);
          return all;
        }));
      }
    }
    return out;
  }

  it('answer as on SQLite: names, items, events, the anomaly figures at the 30-day bounds, filters, orders and counts', async () => {
    const database = await freshDatabase();
    const postgres = createPostgresStorage(database.pool);
    const lite = tempDatabase();
    const sqlite = createSqliteStorage(lite.path, { writer: lite.db });
    try {
      for (const storage of [postgres, sqlite]) {
        await storage.transaction(async (tx) => {
          for (const statement of rows) await tx.run(statement);
        });
      }
      const onPostgres = await everything(postgres);
      expect(onPostgres).toEqual(await everything(sqlite));
      expect(onPostgres['view c1']).toMatchObject([{ agent_prior_30d_tokens: 30, customer_prior_credits: 2, overlap: 'g1||c2', delivery_json: [] }]);
    } finally {
      await sqlite.close();
      lite.cleanup();
      await database.drop();
    }
  });
});

describe('credit races between instances', () => {
  let database: FreshDatabase;
  let storage: ReturnType<typeof createPostgresStorage>;
  let lite: ReturnType<typeof tempDatabase>;
  let credits: CreditService;
  const time = manualClock();
  const agent: Requester = { id: 's1', name: 'Ada', role: 'agent' };
  const lead: Requester = { id: 's2', name: 'Lee', role: 'lead' };
  const lead2: Requester = { id: 's3', name: 'Lou', role: 'lead' };
  const origin = { requestId: 'r', clientIp: null };

  beforeAll(async () => {
    database = await freshDatabase();
    storage = createPostgresStorage(database.pool);
    lite = tempDatabase();
    const audit = createAuditLog(lite.db, time.clock);
    const ledger = createLedger(lite.db, time.clock);
    credits = createCreditService(storage, ledger, createCreditReversals(lite.db, ledger, audit, time.clock), audit, time.clock);
    await storage.transaction(async (tx) => {
      for (const statement of people) await tx.run(statement);
      for (let i = 1; i <= 12; i++) await tx.run(run(`g${i}`, 'cu1', 100));
      await tx.run(run('h1', 'cu2', 100));
    });
  });
  afterAll(async () => {
    lite?.cleanup();
    await database?.drop();
  });

  const body = (runs: string[], extra: Partial<CreditRequest> = {}): CreditRequest => ({
    customer_id: 'cu1', items: runs.map((id) => ({ generation_id: id, tokens: 100 })), amount: 100 * runs.length,
    reason: 'visual_artifacts', ticket_ref: 'T-1', expected: 'e', received: 'r', ...extra,
  }) as CreditRequest;
  const ask = (request: CreditRequest, key: string) => credits.request(request, key, hashRequestBody(request), agent, origin);
  /** What the API answers: `ok`, with a request's status code and replay, or the error's status and code. */
  const answer = async (work: Promise<unknown>): Promise<string> => {
    try {
      const value = (await work) as { status?: unknown; replayed?: boolean };
      return `ok${typeof value.status === 'number' ? ` ${value.status}` : ''}${value.replayed ? ' replayed' : ''}`;
    } catch (error) {
      const { status, body: error_ } = toApiError(error);
      return `${status} ${error_.code}`;
    }
  };

  it('replays a key and refuses it with another body', async () => {
    const request = body(['g1']);
    expect(await answer(ask(request, 'k1'))).toBe('ok 201');
    expect(await answer(ask(request, 'k1'))).toBe('ok 201 replayed');
    expect(await answer(ask(body(['g2']), 'k1'))).toBe('409 idempotency_key_reused');
    expect((await credits.eligibility(['g1', 'g2'])).runs.map((r) => r.eligible_tokens)).toEqual([0, 100]);
  });

  it('decides a key sent three times at once once, and replays that answer to the others', async () => {
    const request = body(['g2']);
    const answers = await Promise.all([answer(ask(request, 'k2')), answer(ask(request, 'k2')), answer(ask(request, 'k2'))]);
    expect(answers.sort()).toEqual(['ok 201', 'ok 201 replayed', 'ok 201 replayed']);
    expect((await storage.get<{ n: number }>("SELECT COUNT(*) AS n FROM credits WHERE idempotency_key = 'k2'"))?.n).toBe(1);
  });

  it('applies one of two grants over one run sent at once, and answers the other already_credited', async () => {
    const answers = await Promise.all([answer(ask(body(['g3']), 'k3a')), answer(ask(body(['g3']), 'k3b'))]);
    expect(answers.sort()).toEqual(['409 already_credited', 'ok 201']);
  });

  it('lets one of two decisions on one grant win and answers the other 409', async () => {
    time.advance(60_000);
    const big = await ask(body(['g4', 'g5', 'g6', 'g7', 'g8', 'g9']), 'k4');
    expect(big.status).toBe(202);
    const approvals = await Promise.all([answer(credits.approve(big.record.id, lead, origin)), answer(credits.approve(big.record.id, lead2, origin))]);
    expect(approvals.sort()).toEqual(['409 not_pending', 'ok']);
    const voids = await Promise.all([answer(credits.voidCredit(big.record.id, 'wrong', lead, origin)), answer(credits.voidCredit(big.record.id, 'wrong', lead2, origin))]);
    expect(voids.sort()).toEqual(['409 not_applied', 'ok']);
    expect((await credits.record(big.record.id)).status).toBe('voided');

    const goodwill = await ask(body([], { reason: 'goodwill', amount: 600 }), 'k5');
    expect(goodwill.status).toBe(202);
    const decisions = await Promise.all([answer(credits.approve(goodwill.record.id, lead, origin)), answer(credits.reject(goodwill.record.id, 'no', lead2, origin))]);
    expect(decisions.sort()).toEqual(['409 not_pending', 'ok']);
  });

  it('answers the reply committed first when the key is taken under it (an instance that did not wait for the key)', async () => {
    const request = body([], { reason: 'goodwill', amount: 50 });
    const reply = { id: 'crd_other_instance', status: 'pending_approval' };
    const other = await database.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES ('crd_other_instance', 'cu1', 50, 'goodwill', 'T-1', 'e', 'r', 's1', 'pending_approval', 'k8', $1)`, [time.clock().toISOString()]);
      await other.query(`INSERT INTO idempotency_keys (staff_id, key, body_hash, status_code, response, created_at) VALUES ('s1', 'k8', $1, 202, $2, $3)`,
        [hashRequestBody(request), JSON.stringify(reply), time.clock().toISOString()]);
      const answered = ask(request, 'k8');
      // The request gets as far as the key's row, held by the other transaction, and waits there.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query('COMMIT');
      expect(await answered).toEqual({ status: 202, record: reply, replayed: true });
    } finally {
      other.release();
    }
    expect((await storage.get<{ n: number }>("SELECT COUNT(*) AS n FROM credits WHERE idempotency_key = 'k8'"))?.n).toBe(1);
  });

  it('judges two requests against one daily limit one after the other, for two customers too', async () => {
    time.advance(86_400_000);
    await storage.transaction((tx) => tx.run('UPDATE credit_policy SET agent_daily_limit = 150 WHERE id = 1'));
    const answers = await Promise.all([answer(ask(body(['g10']), 'k6a')), answer(ask(body(['g11']), 'k6b'))]);
    expect(answers.sort()).toEqual(['ok 201', 'ok 202']);
    // Nothing of the customer's is shared here: only the agent's day total orders them.
    time.advance(86_400_000);
    const apart = await Promise.all([answer(ask(body(['g12']), 'k7a')), answer(ask(body(['h1'], { customer_id: 'cu2' }), 'k7b'))]);
    expect(apart.sort()).toEqual(['ok 201', 'ok 202']);
    time.advance(1);
    expect(await credits.purgeIdempotencyKeys(0)).toBe(10);
  });
});
