import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { listMigrations, migrate } from '../../db/migrate.ts';
import { checkLedger } from '../../server/ledger/ledgerCheck.ts';
import { creditEventBodySchema } from '../../shared/delivery.ts';
import { buildRun } from './support/builders.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

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

const eventsOf = (t: TestApp, creditId: string): EventRow[] =>
  t.db.prepare('SELECT * FROM credit_events WHERE credit_id = ? ORDER BY seq').all(creditId) as EventRow[];

describe('the credit event outbox', () => {
  it('writes one event per credit ledger entry, whatever path made it, and none for pending or rejected credits', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    // Applied at once.
    const direct = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    // Waits, then a second lead approves it.
    const big = buildRun(app.ctx, w.chat, w.customer.id, { charge: 900 });
    const pending = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: big.id, tokens: 900 }]));
    expect(pending.status).toBe(202);
    expect(eventsOf(app, pending.body.id)).toEqual([]);
    expect(pending.body.delivery).toEqual([]);
    const approved = await act(w.as.lead, `/api/credits/${pending.body.id}/approve`);
    // Rejected: never an event.
    const other = buildRun(app.ctx, w.chat, w.customer.id, { charge: 700 });
    const rejected = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: other.id, tokens: 700 }]));
    await act(w.as.lead, `/api/credits/${rejected.body.id}/reject`, { reason: 'Output is fine' });
    // A lead's void.
    await act(w.as.lead, `/api/credits/${direct.body.id}/void`, { reason: 'Wrong account' });

    expect(eventsOf(app, direct.body.id).map((e) => [e.id, e.type, e.amount, e.state])).toEqual([
      [direct.body.transaction_id, 'credit.applied', 120, 'pending'],
      [expect.any(String), 'credit.voided', -120, 'pending'],
    ]);
    const approvedEvent = eventsOf(app, pending.body.id);
    expect(approvedEvent).toHaveLength(1);
    expect(creditEventBodySchema.parse(JSON.parse(approvedEvent[0].body)).data).toMatchObject({
      transaction_id: approved.body.transaction_id, amount: 900, requested_by: w.people.agent.id, approved_by: w.people.lead.id,
    });
    expect(eventsOf(app, rejected.body.id)).toEqual([]);
    // Exactly the credit entries of the ledger, no more, no less.
    const creditEntries = app.db.prepare("SELECT id FROM ledger_entries WHERE kind IN ('manual_credit', 'credit_void') ORDER BY seq").pluck().all();
    expect(app.db.prepare('SELECT id FROM credit_events ORDER BY seq').pluck().all()).toEqual(creditEntries);
  });

  it('is written in the transaction of its entry: when the entry fails, neither is kept', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const refused = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.refunded.id, tokens: 150 }]));
    expect(refused.status).toBe(409);
    expect(app.db.prepare('SELECT COUNT(*) FROM credit_events').pluck().get()).toBe(0);
  });

  it('keeps the body frozen, the event kept, delivered final and the void after its credit, in the database itself', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await act(w.as.lead, `/api/credits/${credit.body.id}/void`, { reason: 'Wrong account' });
    const [applied, voided] = eventsOf(app, credit.body.id);
    const db = app.db;
    expect(() => db.prepare("UPDATE credit_events SET body = '{}' WHERE seq = ?").run(applied.seq)).toThrow(/frozen/);
    expect(() => db.prepare('UPDATE credit_events SET amount = 1 WHERE seq = ?').run(applied.seq)).toThrow(/frozen/);
    expect(() => db.prepare('DELETE FROM credit_events WHERE seq = ?').run(applied.seq)).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE credit_events SET state = 'delivering', lease_token = 't' WHERE seq = ?").run(voided.seq)).toThrow(/after the credit it reverses/);
    db.prepare("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'feed', due_at = NULL WHERE seq = ?").run(applied.seq);
    expect(() => db.prepare("UPDATE credit_events SET state = 'pending', delivered_at = NULL, delivered_via = NULL, due_at = 'x' WHERE seq = ?").run(applied.seq)).toThrow(/stays delivered/);
    expect(() => db.prepare("UPDATE credit_events SET state = 'delivered', delivered_at = 'now', delivered_via = 'carrier pigeon', due_at = NULL WHERE seq = ?").run(voided.seq)).toThrow(/CHECK/);
  });

  it('refuses a credit ledger entry without its event, and an event without its entry, whoever writes them', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const db = app.db;
    db.prepare("UPDATE credits SET status = 'voided' WHERE id = ?").run(credit.body.id);
    const balance = db.prepare('SELECT balance FROM customers WHERE id = ?').pluck().get(w.customer.id) as number;
    const voidEntry = {
      id: 'txn_raw_void', customer_id: w.customer.id, amount: -120, balance_after: balance - 120, credit_id: credit.body.id, reverses_id: credit.body.transaction_id,
    };
    expect(() => db.prepare(`INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, reverses_id, credit_id)
      VALUES (@id, @customer_id, 'credit_void', @amount, @balance_after, 'now', 'now', @reverses_id, @credit_id)`).run(voidEntry)).toThrow(/needs its credit event/);
    // An event with no ledger entry cannot commit (the entry's foreign key is checked at COMMIT).
    expect(() => db.transaction(() => {
      db.prepare(`INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, due_at)
        VALUES ('txn_ghost', ?, ?, 'credit.voided', -120, '{}', 'now', 'now')`).run(credit.body.id, w.customer.id);
    }).immediate()).toThrow(/FOREIGN KEY/);
    expect(db.prepare("SELECT COUNT(*) FROM credit_events WHERE id = 'txn_ghost'").pluck().get()).toBe(0);
  });

  it('refuses a body over 20 kB with a clear error and writes nothing', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const ids = Array.from({ length: 100 }, (_, i) => buildRun(app!.ctx, w.chat, w.customer.id, { id: `gen_${'x'.repeat(190)}_${String(i).padStart(3, '0')}`, charge: 1 }).id);
    const res = await postCredit(w.as.lead, creditBody(w.customer.id, ids.map((id) => ({ generation_id: id, tokens: 1 }))));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({ items: expect.stringContaining('20 kB') });
    expect(app.db.prepare('SELECT COUNT(*) FROM credits').pluck().get()).toBe(0);
    expect(app.db.prepare('SELECT COUNT(*) FROM credit_events').pluck().get()).toBe(0);
  });

  it('queues the credits granted before delivery existed, with the body the console writes for new ones', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await act(w.as.lead, `/api/credits/${credit.body.id}/void`, { reason: 'Wrong account' });
    const written = app.db.prepare('SELECT id, body, type FROM credit_events ORDER BY seq').all();
    expect(written).toHaveLength(2);

    // The same ledger as a database made before delivery had it: without the outbox, then migrated.
    app.db.close();
    const old = openDatabase(app.dbPath);
    try {
      old.pragma('foreign_keys = OFF');
      old.exec(`DROP TRIGGER ledger_credit_event_required; DROP TRIGGER credit_events_kept; DROP TRIGGER credit_events_frozen;
        DROP TRIGGER credit_events_delivered_final; DROP TRIGGER credit_events_void_after_applied; DROP TABLE credit_events;
        DELETE FROM schema_migrations WHERE version >= 5;`);
      old.pragma('foreign_keys = ON');
      expect(migrate(old, listMigrations().filter((m) => m.version <= 5))).toEqual([5]);
      expect(old.prepare('SELECT id, body, type FROM credit_events ORDER BY seq').all()).toEqual(written);
      expect(old.prepare('SELECT DISTINCT state FROM credit_events').pluck().all()).toEqual(['pending']);
    } finally {
      old.close();
    }
  });

  it('lets ledger:verify name a credit entry whose event is missing or was altered behind the database\'s back', async () => {
    app = createTestApp();
    const w = await creditWorld(app.app, app.ctx);
    const first = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const second = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }]));
    expect(checkLedger(app.db)).toMatchObject({ ok: true, problems: [] });
    app.db.exec('DROP TRIGGER credit_events_frozen; DROP TRIGGER credit_events_kept;');
    app.db.prepare("UPDATE credit_events SET body = json_set(body, '$.data.amount', 1200) WHERE id = ?").run(first.body.transaction_id);
    app.db.pragma('foreign_keys = OFF');
    app.db.prepare('DELETE FROM credit_events WHERE id = ?').run(second.body.transaction_id);
    expect(checkLedger(app.db).problems).toEqual([
      `manual_credit ${first.body.transaction_id} of 120: its credit event says credit.applied of 120, body ${first.body.transaction_id} of 1200`,
      `manual_credit ${second.body.transaction_id} has no credit event for the studio`,
    ]);
  });
});
