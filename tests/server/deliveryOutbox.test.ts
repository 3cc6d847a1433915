import { afterEach, describe, expect, it } from 'vitest';
import type { Params, Statement } from '../../db/storage/types.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { creditEventBodySchema } from '../../shared/delivery.ts';
import { buildRun } from './support/builders.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, onSqlite, type TestApp } from './support/testApp.ts';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.cleanup();
  app = undefined;
});

interface EventRow {
  seq: number;
  id: string;
  credit_id: string;
  type: string;
  amount: number;
  state: string;
  body: string;
}

const eventsOf = (t: TestApp, creditId: string): Promise<EventRow[]> =>
  t.rows<EventRow>('SELECT * FROM credit_events WHERE credit_id = ? ORDER BY seq', [creditId]);

const ids = async (t: TestApp, statement: string): Promise<string[]> => (await t.rows<{ id: string }>(statement)).map((row) => row.id);

/** What each engine says when a row breaks a CHECK constraint, and when a foreign key is missing at COMMIT. */
const checkFailed = onSqlite ? /CHECK constraint failed/ : /violates check constraint/;
const foreignKeyFailed = onSqlite ? /FOREIGN KEY constraint failed/ : /violates foreign key constraint/;

/**
 * Runs `statement` with the credit events' frozen and never-deleted triggers dropped, in one
 * transaction: a write made behind the database's back (PostgreSQL has one guard trigger for
 * SQLite's three BEFORE UPDATE ones).
 */
const behindTheBack = (t: TestApp, statement: Statement, params?: Params): Promise<unknown> =>
  t.ctx.storage.transaction(async (tx) => {
    const drops = tx.engine === 'sqlite'
      ? ['DROP TRIGGER IF EXISTS credit_events_frozen', 'DROP TRIGGER IF EXISTS credit_events_kept']
      : ['DROP TRIGGER IF EXISTS credit_events_guard ON credit_events', 'DROP TRIGGER IF EXISTS credit_events_kept ON credit_events'];
    for (const drop of drops) await tx.run(drop);
    return tx.run(statement, params);
  });

describe('the credit event outbox', () => {
  it('writes one event per credit ledger entry, whatever path made it, and none for pending or rejected credits', async () => {
    app = await createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    // Applied at once.
    const direct = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    // Waits, then a second lead approves it.
    const big = await buildRun(app.ctx, w.chat, w.customer.id, { charge: 900 });
    const pending = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: big.id, tokens: 900 }]));
    expect(pending.status).toBe(202);
    expect(await eventsOf(app, pending.body.id)).toEqual([]);
    expect(pending.body.delivery).toEqual([]);
    const approved = await act(w.as.lead, `/api/credits/${pending.body.id}/approve`);
    // Rejected: never an event.
    const other = await buildRun(app.ctx, w.chat, w.customer.id, { charge: 700 });
    const rejected = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: other.id, tokens: 700 }]));
    await act(w.as.lead, `/api/credits/${rejected.body.id}/reject`, { reason: 'Output is fine' });
    // A lead's void.
    await act(w.as.lead, `/api/credits/${direct.body.id}/void`, { reason: 'Wrong account' });

    expect((await eventsOf(app, direct.body.id)).map((e) => [e.id, e.type, e.amount, e.state])).toEqual([
      [direct.body.transaction_id, 'credit.applied', 120, 'pending'],
      [expect.any(String), 'credit.voided', -120, 'pending'],
    ]);
    const approvedEvent = await eventsOf(app, pending.body.id);
    expect(approvedEvent).toHaveLength(1);
    expect(creditEventBodySchema.parse(JSON.parse(approvedEvent[0].body)).data).toMatchObject({
      transaction_id: approved.body.transaction_id, amount: 900, requested_by: w.people.agent.id, approved_by: w.people.lead.id,
    });
    expect(await eventsOf(app, rejected.body.id)).toEqual([]);
    // Exactly the credit entries of the ledger, no more, no less.
    const creditEntries = await ids(app, "SELECT id FROM ledger_entries WHERE kind IN ('manual_credit', 'credit_void') ORDER BY seq");
    expect(await ids(app, 'SELECT id FROM credit_events ORDER BY seq')).toEqual(creditEntries);
  });

  it('is written in the transaction of its entry: when the entry fails, neither is kept', async () => {
    app = await createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const refused = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.refunded.id, tokens: 150 }]));
    expect(refused.status).toBe(409);
    expect(await app.value('SELECT COUNT(*) FROM credit_events')).toBe(0);
  });

  it('keeps the body frozen, the event kept, delivered final and the void after its credit, in the database itself', async () => {
    const t = (app = await createTestApp());
    const w = await creditWorld(t.app, t.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await act(w.as.lead, `/api/credits/${credit.body.id}/void`, { reason: 'Wrong account' });
    const [applied, voided] = await eventsOf(t, credit.body.id);
    await expect(t.run("UPDATE credit_events SET body = '{}' WHERE seq = ?", [applied.seq])).rejects.toThrow(/frozen/);
    await expect(t.run('UPDATE credit_events SET amount = 1 WHERE seq = ?', [applied.seq])).rejects.toThrow(/frozen/);
    await expect(t.run('DELETE FROM credit_events WHERE seq = ?', [applied.seq])).rejects.toThrow(/never deleted/);
    await expect(t.run("UPDATE credit_events SET state = 'delivering', lease_token = 't' WHERE seq = ?", [voided.seq])).rejects.toThrow(/after the credit it reverses/);
    await t.run("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'feed', due_at = NULL WHERE seq = ?", [applied.seq]);
    await expect(t.run("UPDATE credit_events SET state = 'pending', delivered_at = NULL, delivered_via = NULL, due_at = 'x' WHERE seq = ?", [applied.seq])).rejects.toThrow(/stays delivered/);
    await expect(t.run("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'carrier pigeon', due_at = NULL WHERE seq = ?", [voided.seq])).rejects.toThrow(checkFailed);
    expect(await t.rows('SELECT seq, amount, body, state, delivered_via FROM credit_events ORDER BY seq')).toEqual([
      { seq: applied.seq, amount: 120, body: applied.body, state: 'delivered', delivered_via: 'feed' },
      { seq: voided.seq, amount: -120, body: voided.body, state: 'pending', delivered_via: null },
    ]);
  });

  it('refuses a credit ledger entry without its event, and an event without its entry, whoever writes them', async () => {
    const t = (app = await createTestApp());
    const w = await creditWorld(t.app, t.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await t.run("UPDATE credits SET status = 'voided' WHERE id = ?", [credit.body.id]);
    const balance = (await t.value<number>('SELECT balance FROM customers WHERE id = ?', [w.customer.id])) ?? 0;
    const voidEntry = {
      id: 'txn_raw_void', customer_id: w.customer.id, amount: -120, balance_after: balance - 120, credit_id: credit.body.id, reverses_id: credit.body.transaction_id,
    };
    await expect(t.run(`INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, reverses_id, credit_id)
      VALUES (@id, @customer_id, 'credit_void', @amount, @balance_after, 'now', 'now', @reverses_id, @credit_id)`, voidEntry)).rejects.toThrow(/needs its credit event/);
    // An event with no ledger entry cannot commit (the entry's foreign key is checked at COMMIT).
    await expect(t.run(`INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, due_at)
        VALUES ('txn_ghost', ?, ?, 'credit.voided', -120, '{}', 'now', 'now')`, [credit.body.id, w.customer.id])).rejects.toThrow(foreignKeyFailed);
    expect(await t.value("SELECT COUNT(*) FROM credit_events WHERE id = 'txn_ghost'")).toBe(0);
    expect(await t.value("SELECT COUNT(*) FROM ledger_entries WHERE id = 'txn_raw_void'")).toBe(0);
  });

  it('refuses a body over 20 kB with a clear error and writes nothing', async () => {
    const t = (app = await createTestApp());
    const w = await creditWorld(t.app, t.ctx);
    const runIds: string[] = [];
    for (let i = 0; i < 100; i++) runIds.push((await buildRun(t.ctx, w.chat, w.customer.id, { id: `gen_${'x'.repeat(190)}_${String(i).padStart(3, '0')}`, charge: 1 })).id);
    const res = await postCredit(w.as.lead, creditBody(w.customer.id, runIds.map((id) => ({ generation_id: id, tokens: 1 }))));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({ items: expect.stringContaining('20 kB') });
    expect(await t.value('SELECT COUNT(*) FROM credits')).toBe(0);
    expect(await t.value('SELECT COUNT(*) FROM credit_events')).toBe(0);
  });

  it('lets ledger:verify name a credit entry whose event is missing or was altered behind the database\'s back', async () => {
    const t = (app = await createTestApp());
    const w = await creditWorld(t.app, t.ctx);
    const first = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const second = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }]));
    expect(await verifyLedger(t.ctx.storage)).toMatchObject({ ok: true, problems: [] });
    await behindTheBack(t, {
      sqlite: "UPDATE credit_events SET body = json_set(body, '$.data.amount', 1200) WHERE id = ?",
      postgres: "UPDATE credit_events SET body = jsonb_set(body::jsonb, '{data,amount}', '1200')::text WHERE id = ?",
    }, [first.body.transaction_id]);
    await behindTheBack(t, 'DELETE FROM credit_events WHERE id = ?', [second.body.transaction_id]);
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([
      `manual_credit ${first.body.transaction_id} of 120: its credit event says credit.applied of 120, body ${first.body.transaction_id} of 1200`,
      `manual_credit ${second.body.transaction_id} has no credit event for the studio`,
    ]);
  });
});
