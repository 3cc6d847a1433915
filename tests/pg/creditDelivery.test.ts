/**
 * Credit delivery's statements on PostgreSQL (docs/integration.md, docs/postgres.md): several
 * instances' dispatchers claim from the same due events at once and never claim one event
 * together, a void is never claimed before its credit's applied event is delivered, and the
 * outbox's other statements (outcomes, retries, the feed, the report) answer as on SQLite.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import { creditEventRepository, type Claim, type ClaimedEvent } from '../../db/repositories/creditEventRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import type { Storage, Transaction } from '../../db/storage/types.ts';
import { createAuditLog } from '../../server/audit/auditLog.ts';
import { createDispatcher } from '../../server/delivery/dispatcher.ts';
import type { AttemptResult, OutgoingEvent } from '../../server/delivery/webhookSender.ts';
import { createMetrics } from '../../server/metrics.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

let db: FreshDatabase;
let storage: Storage;
beforeAll(async () => {
  db = await freshDatabase();
  storage = createPostgresStorage(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();
let counter = 0;
const newId = (prefix: string): string => `${prefix}_${++counter}`;

interface Granted {
  creditId: string;
  appliedId: string;
  voidId?: string;
}

/** A customer and a staff member, for the credits of one test. */
async function buildPeople(on: Storage): Promise<{ customer: string; staff: string }> {
  const customer = newId('cus');
  const staff = newId('stf');
  await on.transaction(async (tx) => {
    await tx.run('INSERT INTO customers (id, name, email, plan, created_at, source_at) VALUES (?, ?, ?, ?, ?, ?)',
      [customer, 'Maya Chen', `${customer}@example.com`, 'creator', T0, T0]);
    await tx.run(`INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES (?, ?, 'Sam Lead', 'lead', ?, ?)`,
      [staff, `${staff}@tokendesk.test`, T0, T0]);
  });
  return { customer, staff };
}

/** A credit event and its ledger entry, as the ledger writes them: the event first. */
async function writeEntry(tx: Transaction, e: { id: string; creditId: string; customer: string; amount: number; reverses?: string }): Promise<void> {
  const type = e.amount > 0 ? 'credit.applied' : 'credit.voided';
  await creditEventRepository.insert(tx, {
    id: e.id, credit_id: e.creditId, customer_id: e.customer, type, amount: e.amount,
    body: JSON.stringify({ type, id: e.id, credit_id: e.creditId }), created_at: T0,
  });
  const balance = (await tx.get<{ balance: number }>('SELECT balance FROM customers WHERE id = ?', [e.customer]))?.balance ?? 0;
  await tx.run(`INSERT INTO ledger_entries (id, customer_id, kind, amount, balance_after, created_at, recorded_at, reverses_id, credit_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  [e.id, e.customer, e.amount > 0 ? 'manual_credit' : 'credit_void', e.amount, balance + e.amount, T0, T0, e.reverses ?? null, e.creditId]);
}

/** `count` applied credits of 10 tokens each, their events due at T0; with `voided`, each voided too. */
async function grant(count: number, options: { voided?: boolean; on?: Storage } = {}): Promise<Granted[]> {
  const on = options.on ?? storage;
  const { customer, staff } = await buildPeople(on);
  const granted: Granted[] = [];
  for (let i = 0; i < count; i++) {
    const g: Granted = { creditId: newId('crd'), appliedId: newId('txn') };
    await on.transaction(async (tx) => {
      await tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES (?, ?, 10, 'goodwill', 'T-1', 'a cat', 'a dog', ?, 'applied', ?, ?)`, [g.creditId, customer, staff, newId('key'), T0]);
      await writeEntry(tx, { id: g.appliedId, creditId: g.creditId, customer, amount: 10 });
      if (options.voided) {
        g.voidId = newId('txn');
        await tx.run("UPDATE credits SET status = 'voided', voided_by = ?, voided_at = ?, void_reason = 'Wrong account' WHERE id = ?", [staff, T0, g.creditId]);
        await writeEntry(tx, { id: g.voidId, creditId: g.creditId, customer, amount: -10, reverses: g.appliedId });
      }
    });
    granted.push(g);
  }
  return granted;
}

const claimAt = (seconds: number, limit: number): Claim => ({ now: at(seconds), lease_until: at(seconds + 35), limit, lease_token: randomUUID() });
const claim = (c: Claim): Promise<ClaimedEvent[]> => storage.transaction((tx) => creditEventRepository.claimDue(tx, c));
const ids = (events: ClaimedEvent[]): string[] => events.map((e) => e.id);

/** Ends an attempt as delivered, under its lease. */
const deliver = (event: ClaimedEvent, seconds: number): Promise<boolean> =>
  storage.transaction((tx) => creditEventRepository.markDelivered(tx, { seq: event.seq, lease_token: event.lease_token, now: at(seconds), last_status: 200, studio_ref: null }));

/** Whether a claim would take any of `mine`, without taking it (the claim is rolled back). */
async function wouldClaim(mine: string[], seconds: number): Promise<string[]> {
  const rollback = new Error('look only');
  let seen: string[] = [];
  await storage
    .transaction(async (tx) => {
      seen = ids(await creditEventRepository.claimDue(tx, claimAt(seconds, 1000))).filter((id) => mine.includes(id));
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return seen;
}

describe('claiming due credit events on PostgreSQL', () => {
  it('gives two transactions claiming at once different events: the second skips what the first holds', async () => {
    const granted = await grant(6);
    const mine = granted.map((g) => g.appliedId);
    let firstClaimed: (events: ClaimedEvent[]) => void = () => {};
    const firstHolds = new Promise<ClaimedEvent[]>((resolve) => (firstClaimed = resolve));
    let secondDone: () => void = () => {};
    const secondFinished = new Promise<void>((resolve) => (secondDone = resolve));

    // The first claim keeps its transaction open until the second has claimed.
    const first = storage.transaction(async (tx) => {
      const events = await creditEventRepository.claimDue(tx, claimAt(1, 4));
      firstClaimed(events);
      await secondFinished;
      return events;
    });
    const held = await firstHolds;
    const second = await claim(claimAt(1, 4)).finally(secondDone);
    const firstEvents = await first;

    expect(ids(held)).toEqual(ids(firstEvents));
    const firstMine = ids(firstEvents).filter((id) => mine.includes(id));
    const secondMine = ids(second).filter((id) => mine.includes(id));
    expect(firstMine).toHaveLength(4);
    expect(secondMine).toHaveLength(2);
    expect(new Set([...firstMine, ...secondMine]).size).toBe(6);
    expect(new Set(second.map((e) => e.lease_token)).size).toBe(1);
    // Every one leased once, one attempt each; until the leases run out nothing more is due.
    const rows = await storage.all<{ state: string; attempts: number; due_at: string }>(
      `SELECT state, attempts, due_at FROM credit_events WHERE id IN (${mine.map(() => '?').join(', ')})`, mine);
    expect(rows.every((r) => r.state === 'delivering' && r.attempts === 1 && r.due_at === at(36))).toBe(true);
    expect(await wouldClaim(mine, 30)).toEqual([]);
    // The claim says how many attempts came before this one.
    expect(firstEvents.every((e) => e.attempts === 0 && e.failures === 0)).toBe(true);
  });

  it('never claims one event twice when many claim together, until every event is claimed', async () => {
    const granted = await grant(40);
    const mine = new Set(granted.map((g) => g.appliedId));
    const claimed: string[] = [];
    for (let round = 0; round < 10 && claimed.length < mine.size; round++) {
      const rounds = await Promise.all(Array.from({ length: 8 }, () => claim(claimAt(100, 3))));
      for (const events of rounds) claimed.push(...ids(events).filter((id) => mine.has(id)));
    }
    expect(claimed).toHaveLength(mine.size);
    expect(new Set(claimed)).toEqual(mine);
  });

  it('claims a void only once the studio has its credit, and an event again once its lease has run out', async () => {
    const [g] = await grant(1, { voided: true });
    const mine = [g.appliedId, g.voidId as string];
    const [applied] = (await claim(claimAt(200, 1000))).filter((e) => mine.includes(e.id));
    expect(applied.id).toBe(g.appliedId);
    expect(await wouldClaim(mine, 201)).toEqual([]);

    // The lease runs out: claimed again under a new token, and the first token records nothing.
    const [again] = (await claim(claimAt(240, 1000))).filter((e) => mine.includes(e.id));
    expect(again).toMatchObject({ id: g.appliedId, attempts: 1 });
    expect(again.lease_token).not.toBe(applied.lease_token);
    expect(await deliver(applied, 241)).toBe(false);
    expect(await wouldClaim(mine, 241)).toEqual([]);
    expect(await deliver(again, 241)).toBe(true);

    expect(await wouldClaim(mine, 242)).toEqual([g.voidId]);
  });
});

describe("the outbox's other statements on PostgreSQL", () => {
  it('records failures and give-ups, retries, acknowledges through the feed and reports as on SQLite', async () => {
    const [g, other] = await grant(2);
    const [event] = (await claim(claimAt(300, 1000))).filter((e) => e.id === g.appliedId);
    const failure = { seq: event.seq, lease_token: event.lease_token, now: at(301), last_status: 503, last_error: 'answered 503' };
    expect(await storage.transaction((tx) => creditEventRepository.markFailing(tx, { ...failure, due_at: at(306) }))).toBe(true);
    // A repeated outcome under the ended lease changes nothing.
    expect(await storage.transaction((tx) => creditEventRepository.markGivenUp(tx, failure))).toBe(false);

    const [retried] = (await claim(claimAt(306, 1000))).filter((e) => e.id === g.appliedId);
    expect(retried).toMatchObject({ failures: 1, attempts: 1 });
    expect(await storage.transaction((tx) => creditEventRepository.markGivenUp(tx, { ...failure, lease_token: retried.lease_token, now: at(307) }))).toBe(true);
    expect(await creditEventRepository.byId(storage, g.appliedId)).toMatchObject({
      state: 'given_up', failures: 2, attempts: 2, due_at: null, lease_token: null, failing_since: at(301), last_status: 503,
    });

    const summary = await creditEventRepository.summary(storage);
    expect(summary).toMatchObject({ last_error: 'answered 503' });
    expect((await creditEventRepository.counts(storage)).given_up).toBeGreaterThanOrEqual(1);

    const locked = await storage.transaction(async (tx) => {
      const events = await creditEventRepository.forCreditLocked(tx, g.creditId);
      return { events, retried: await creditEventRepository.retryCredit(tx, g.creditId, at(310)) };
    });
    expect(locked.events.map((e) => [e.id, e.state])).toEqual([[g.appliedId, 'given_up']]);
    expect(locked.retried).toBe(1);
    expect(await creditEventRepository.byId(storage, g.appliedId)).toMatchObject({ state: 'failing', failures: 0, due_at: at(310) });
    expect(await storage.transaction((tx) => creditEventRepository.retryGivenUp(tx, at(311)))).toBe(0);

    // The feed's acknowledgement delivers everything up to its cursor, the other credit's claimed event included.
    const { seq } = (await creditEventRepository.byId(storage, other.appliedId)) ?? { seq: 0 };
    const page = await storage.transaction(async (tx) => {
      await creditEventRepository.acknowledge(tx, Math.max(seq, event.seq), at(320));
      return creditEventRepository.feedPage(tx, Math.min(seq, event.seq) - 1, 2);
    });
    expect(page.map((row) => row.seq)).toEqual([Math.min(seq, event.seq), Math.min(seq, event.seq) + 1]);
    for (const id of [g.appliedId, other.appliedId]) {
      expect(await creditEventRepository.byId(storage, id)).toMatchObject({ state: 'delivered', delivered_via: 'feed', delivered_at: at(320), due_at: null });
    }
    expect((await creditEventRepository.summary(storage)).last_delivered_at).toBe(at(320));

    expect(await storage.transaction((tx) => creditEventRepository.confirm(tx, g.appliedId, at(330)))).toBe(true);
    expect(await storage.transaction((tx) => creditEventRepository.confirm(tx, g.appliedId, at(331)))).toBe(false);
    expect((await creditEventRepository.byId(storage, g.appliedId))?.confirmed_at).toBe(at(330));
  });
});

/**
 * A studio that books what it is sent, noting every attempt that overlaps another of the same
 * event or credit, and every void that arrives before its credit. The first attempt of every
 * third event fails, so retries run too.
 */
function fakeStudio() {
  const inFlight = new Set<string>();
  const booked = new Map<string, Set<string>>();
  const attempts = new Map<string, number>();
  const problems: string[] = [];
  let sent = 0;
  const send = async (_config: unknown, event: OutgoingEvent): Promise<AttemptResult> => {
    const { type, credit_id: creditId } = JSON.parse(event.body) as { type: string; credit_id: string };
    const tries = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, tries);
    for (const key of [event.id, creditId]) {
      if (inFlight.has(key)) problems.push(`two attempts at once for ${key}`);
      inFlight.add(key);
    }
    if (type === 'credit.voided' && !booked.get(creditId)?.has('credit.applied')) problems.push(`void ${event.id} before its credit`);
    await new Promise((resolve) => setTimeout(resolve, 1 + (sent++ % 7)));
    inFlight.delete(event.id);
    inFlight.delete(creditId);
    if (tries === 1 && sent % 3 === 0) return { delivered: false, status: 503, error: 'answered 503', retryAfterMs: null, outcome: 'http_error' };
    booked.set(creditId, new Set([...(booked.get(creditId) ?? []), type]));
    return { delivered: true, status: 200, studioRef: null };
  };
  return { send, attempts, problems };
}

describe('two instances dispatching from one PostgreSQL database', () => {
  it('deliver every event once in effect, never two attempts for one credit at once, never a void before its credit', async () => {
    const database = await freshDatabase();
    const instances = [createPostgresStorage(openPostgres(database.url)), createPostgresStorage(openPostgres(database.url))];
    // The audit log's seam half (append) writes through the transaction it is given; the synchronous half needs a database of its own.
    const sqlite = openDatabase(':memory:');
    migrate(sqlite);
    try {
      const granted = [...await grant(12, { on: instances[0] }), ...await grant(12, { voided: true, on: instances[0] })];
      const studio = fakeStudio();
      const clock = () => new Date();
      const config = { url: 'http://127.0.0.1:9/', keys: [], timeoutMs: 2_000, retryScheduleMs: Array.from({ length: 10 }, () => 5), concurrency: 4 };
      const dispatchers = instances.map((on) => createDispatcher({
        storage: on, config, audit: createAuditLog(sqlite, clock), clock, logger: pino({ level: 'silent' }), metrics: createMetrics(on, clock),
        send: studio.send,
      }));

      const undelivered = async () => (await instances[1].get<{ n: number }>("SELECT COUNT(*) AS n FROM credit_events WHERE state <> 'delivered'"))?.n;
      const deadline = Date.now() + 20_000;
      while ((await undelivered()) !== 0 && Date.now() < deadline) {
        await Promise.all(dispatchers.flatMap((d) => [d.runOnce(), d.runOnce()]));
      }

      expect(await undelivered()).toBe(0);
      expect(studio.problems).toEqual([]);
      const events = granted.flatMap((g) => [g.appliedId, ...(g.voidId ? [g.voidId] : [])]);
      expect(new Set(studio.attempts.keys())).toEqual(new Set(events));
      const rows = await instances[0].all<{ id: string; attempts: number; delivered_via: string }>('SELECT id, attempts, delivered_via FROM credit_events');
      // Every attempt made is counted on its row, and every row was delivered by a push.
      for (const row of rows) expect([row.id, row.attempts, row.delivered_via]).toEqual([row.id, studio.attempts.get(row.id), 'webhook']);
      expect([...studio.attempts.values()].some((n) => n > 1)).toBe(true);
    } finally {
      sqlite.close();
      await Promise.all(instances.map((on) => on.close()));
      await database.drop();
    }
  });
});
