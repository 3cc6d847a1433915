/**
 * Live ingestion on PostgreSQL (docs/postgres.md, Concurrency): the studio's
 * batches land as on SQLite, held events wait for their parents and follow
 * them, and batches arriving at once — about the same customers in opposite
 * orders, or carrying the same events — neither deadlock nor count an event twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { chatRepository } from '../../db/repositories/chatRepository.ts';
import { generationRepository } from '../../db/repositories/generationRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { IngestResult } from '../../shared/ingestEvents.ts';
import { createAuditLog } from '../../server/audit/auditLog.ts';
import { createCreditReversals } from '../../server/credits/creditReversals.ts';
import { createDeliveryService } from '../../server/delivery/deliveryService.ts';
import { createIngestService, type IngestService } from '../../server/ingest/ingestService.ts';
import { createLedger, type Ledger } from '../../server/ledger/ledger.ts';
import { scenario, type StudioEvent } from '../server/support/ingest.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');

let database: FreshDatabase;
let storage: Storage;
let sqliteDir: string;
let sqlite: Db;
let ledger: Ledger;
let ingest: IngestService;
/** The SQLSTATE of every statement PostgreSQL refused, retried or not. */
const refusals: string[] = [];
/** Statements sent on the pool's connections so far: each is a round trip. */
let statements = 0;

/** `target` with its member `name` replaced, everything else its own. */
function replacing<T extends object>(target: T, name: string, replacement: unknown): T {
  return new Proxy(target, {
    get: (object, key) => {
      if (key === name) return replacement;
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/** The pool, with the refusals of its transactions' statements written down (the storage retries some unseen). */
function watched(pool: pg.Pool): pg.Pool {
  return replacing(pool, 'connect', async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    return replacing(client, 'query', (...args: unknown[]) => {
      statements++;
      return query(...args).catch((error: unknown) => {
        refusals.push(String((error as { code?: unknown }).code));
        throw error;
      });
    });
  });
}

beforeAll(async () => {
  database = await freshDatabase();
  storage = createPostgresStorage(watched(database.pool));
  // The service still builds the synchronous path of the SQLite history import: it gets a SQLite file no test reads.
  sqliteDir = mkdtempSync(join(tmpdir(), 'ingest-pg-'));
  sqlite = openDatabase(join(sqliteDir, 'unused.db'));
  migrate(sqlite);
  // A millisecond per reading, as time goes on: PostgreSQL orders held events by when they were received.
  let ticks = 0;
  const clock = () => new Date(NOW.getTime() + ticks++);
  const audit = createAuditLog(sqlite, clock);
  ledger = createLedger(sqlite, clock);
  const reversals = createCreditReversals(sqlite, ledger, audit, clock);
  const delivery = createDeliveryService(storage, sqlite, { webhook: null, feedToken: null }, audit, clock, () => {
    throw new Error('no credit record is read here');
  }, () => undefined);
  ingest = createIngestService(storage, sqlite, ledger, reversals, delivery, audit, clock);
});
afterAll(async () => {
  sqlite?.close();
  if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  await database?.drop();
});

const one = async <T>(sql: string, params: unknown[] = []): Promise<T | undefined> => storage.get<T>(sql, params);
const balanceOf = async (customer: string): Promise<number | undefined> => (await one<{ balance: number }>('SELECT balance FROM customers WHERE id = ?', [customer]))?.balance;

/** The story's rows under `prefix`, its ids folded to ID, to compare two stories. */
async function storyState(prefix: string): Promise<string> {
  const rows = {
    customers: await storage.all('SELECT id, name, email, plan, time_zone, created_at, source_at, balance FROM customers WHERE id = ?', [`${prefix}-cus`]),
    chats: await storage.all('SELECT * FROM chats WHERE customer_id = ?', [`${prefix}-cus`]),
    generations: await storage.all('SELECT * FROM generations WHERE customer_id = ? ORDER BY id', [`${prefix}-cus`]),
    assets: await storage.all('SELECT * FROM assets WHERE customer_id = ? ORDER BY id', [`${prefix}-cus`]),
    ledger: await storage.all(`SELECT id, kind, amount, created_at, generation_id, chat_id, tool, reverses_id FROM ledger_entries
      WHERE customer_id = ? ORDER BY id`, [`${prefix}-cus`]),
    held: await storage.all("SELECT event_id FROM ingest_held WHERE event_id LIKE ? || '-%'", [prefix]),
  };
  return JSON.stringify(rows).replaceAll(`${prefix}-`, 'ID-').replaceAll(`|${prefix}`, '|ID');
}

/** What the audit event of the batch with request id `requestId` says it did. */
const batchAudit = async (requestId: string): Promise<unknown> =>
  JSON.parse((await one<{ after_json: string }>("SELECT after_json FROM audit_events WHERE action = 'ingest.batch' AND entity_id = ?", [requestId]))?.after_json ?? 'null');

const customerEvent = (id: string, n: number): StudioEvent => ({
  id: `${id}-upsert-${n}`, type: 'customer.upserted', occurred_at: NOW.toISOString(),
  data: { id, name: `Customer ${id}`, email: `${id}@example.com`, plan: 'pro' },
});
const purchase = (customer: string, txn: string): StudioEvent => ({
  id: `${txn}-event`, type: 'tokens.purchased', occurred_at: NOW.toISOString(),
  data: { transaction_id: txn, customer_id: customer, amount: 10, created_at: NOW.toISOString() },
});

const chatEvent = (id: string, customer: string, eventId: string): StudioEvent => ({
  id: eventId, type: 'chat.created', occurred_at: NOW.toISOString(), data: { id, customer_id: customer, title: 'Race', created_at: NOW.toISOString() },
});

/** Resolves once `count` of this database's sessions wait for a lock. */
async function waitersOnLocks(count: number): Promise<void> {
  for (;;) {
    const waiting = await one<{ n: number }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if ((waiting?.n ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('live ingestion on PostgreSQL', () => {
  it('stores every event type of a batch as on SQLite, writes its audit event, and counts a replay as duplicates', async () => {
    expect(await ingest.ingestBatch(scenario('a'), { requestId: 'req-a', clientIp: null })).toEqual({ accepted: 11, duplicates: 0, rejected: [] });
    expect(await balanceOf('a-cus')).toBe(980);
    expect(await storage.all("SELECT id, kind, amount, balance_after, reverses_id FROM ledger_entries WHERE customer_id = 'a-cus' ORDER BY seq")).toEqual([
      { id: 'a-t-buy', kind: 'purchase', amount: 1000, balance_after: 1000, reverses_id: null },
      { id: 'a-t-c1', kind: 'charge', amount: -20, balance_after: 980, reverses_id: null },
      { id: 'a-t-c2', kind: 'charge', amount: -150, balance_after: 830, reverses_id: null },
      { id: 'a-t-r2', kind: 'auto_refund', amount: 150, balance_after: 980, reverses_id: 'a-t-c2' },
    ]);
    expect(await storage.all("SELECT id, status, tokens_charged, tokens_auto_refunded, asset_count FROM generations WHERE customer_id = 'a-cus' ORDER BY id")).toEqual([
      { id: 'a-g1', status: 'succeeded', tokens_charged: 20, tokens_auto_refunded: 0, asset_count: 1 },
      { id: 'a-g2', status: 'failed', tokens_charged: 150, tokens_auto_refunded: 150, asset_count: 0 },
    ]);
    expect(await one("SELECT actor_type, after_json FROM audit_events WHERE action = 'ingest.batch' AND entity_id = 'req-a'")).toEqual({
      actor_type: 'ingest', after_json: expect.stringContaining('"accepted":11'),
    });
    expect(await ingest.ingestBatch(scenario('a'))).toEqual({ accepted: 0, duplicates: 11, rejected: [] });
  });

  it('holds events that arrive before their parents, in arrival order, and lands on the same rows once the parents come', async () => {
    await ingest.ingestBatch(scenario('ref'));
    const reversed = scenario('rev').reverse();
    for (const event of reversed.slice(0, 2)) expect(await ingest.ingestBatch([event])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await ingest.heldReport()).toEqual({
      held: 2, limit: 100_000,
      oldest: { event_id: 'rev-e11', type: 'tokens.refunded', waits_for: { kind: 'transaction', id: 'rev-t-c2' }, occurred_at: reversed[0].occurred_at, received_at: expect.any(String) },
    });
    for (const event of reversed.slice(2)) expect(await ingest.ingestBatch([event])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await ingest.heldReport()).toEqual({ held: 0, limit: 100_000, oldest: null });
    expect(await storyState('rev')).toBe(await storyState('ref'));
    expect(await one("SELECT COUNT(*) AS n FROM ingest_held WHERE event_id LIKE 'rev-%'")).toEqual({ n: 0 });
    expect(await one("SELECT COUNT(*) AS n FROM ingest_events WHERE id LIKE 'rev-%' AND outcome = 'applied'")).toEqual({ n: 11 });
  });

  it('holds events of many batches at once without a deadlock: a batch that holds runs again holding the lock alone', async () => {
    await ingest.ingestBatch(scenario('dlref'));
    const prefixes = ['dl1', 'dl2', 'dl3', 'dl4'];
    refusals.length = 0;
    // Four streams, each its story's events newest first, one per batch: most of them are held, at once.
    await Promise.all(prefixes.map(async (prefix) => {
      for (const event of scenario(prefix).reverse()) expect(await ingest.ingestBatch([event])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    }));
    expect(refusals.filter((code) => code === '40P01')).toEqual([]);
    for (const prefix of prefixes) expect(await storyState(prefix)).toBe(await storyState('dlref'));
    expect(await one("SELECT COUNT(*) AS n FROM ingest_held WHERE event_id LIKE 'dl%'")).toEqual({ n: 0 });
  });

  it('applies a plain batch set-based: a few dozen round trips for 330 events, not one per statement of each event, on the same rows', async () => {
    const prefixes = Array.from({ length: 30 }, (_, i) => `fold${i}`);
    const batch = prefixes.flatMap((prefix) => scenario(prefix));
    const before = statements;
    expect(await ingest.ingestBatch(batch, { requestId: 'req-fold', clientIp: null })).toEqual({ accepted: 330, duplicates: 0, rejected: [] });
    expect(statements - before).toBeLessThan(40);
    // The same stories as a batch each of which had to hold and release events (event by event).
    await ingest.ingestBatch(scenario('fold-ref').reverse());
    for (const prefix of prefixes) expect(await storyState(prefix)).toBe(await storyState('fold-ref'));
    expect(await one("SELECT COUNT(*) AS n FROM ingest_events WHERE id LIKE 'fold%' AND outcome = 'applied'")).toEqual({ n: 341 });
    expect(await batchAudit('req-fold')).toEqual({ events: 330, accepted: 330, duplicates: 0, rejected: 0, held: 0, released: 0, failed_late: 0 });
    const replay = statements;
    expect(await ingest.ingestBatch(batch)).toEqual({ accepted: 0, duplicates: 330, rejected: [] });
    expect(statements - replay).toBeLessThan(40);
  });

  it('goes event by event for a batch that holds an event until its parent comes later in it, and counts the hold in its audit event', async () => {
    const [customer, bought] = [customerEvent('late-parent', 0), purchase('late-parent', 'late-parent-buy')];
    expect(await ingest.ingestBatch([bought, customer], { requestId: 'req-late-parent', clientIp: null })).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await balanceOf('late-parent')).toBe(10);
    expect(await batchAudit('req-late-parent')).toEqual({ events: 2, accepted: 2, duplicates: 0, rejected: 0, held: 1, released: 1, failed_late: 0 });
  });

  it('counts an event sent again with data its schema refuses as a duplicate, as the per-event path does, and one never seen as rejected', async () => {
    await ingest.ingestBatch([customerEvent('resent', 0)]);
    const broken = { ...customerEvent('resent', 0), data: { id: 'resent' } };
    const fresh = { ...customerEvent('resent', 1), data: { id: 'resent' } };
    expect(await ingest.ingestBatch([broken, purchase('resent', 'resent-buy')])).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await ingest.ingestBatch([fresh, purchase('resent', 'resent-buy-2')])).toEqual({
      accepted: 1, duplicates: 0, rejected: [{ id: 'resent-upsert-1', error: expect.stringContaining('data.name') }],
    });
    expect(await balanceOf('resent')).toBe(20);
  });

  it('rejects, as on SQLite, an event its stored records contradict, and keeps the rest of the batch', async () => {
    await ingest.ingestBatch(scenario('bad').slice(0, 9));
    const [refund] = scenario('bad').slice(10);
    const wrong = { ...refund, id: 'bad-e11-wrong', data: { ...refund.data, transaction_id: 'bad-t-wrong', amount: 10 } };
    expect(await ingest.ingestBatch([wrong, refund])).toEqual({
      accepted: 1, duplicates: 0, rejected: [{ id: 'bad-e11-wrong', error: 'an auto-refund reverses the whole charge: 150 tokens, not 10' }],
    });
  });

  it('lets batches about the same customers in opposite orders run at once: each queues behind the other, none deadlocks', async () => {
    const customers = Array.from({ length: 20 }, (_, i) => `order-${String(i).padStart(2, '0')}`);
    await ingest.ingestBatch(customers.map((id) => customerEvent(id, 0)));
    const before = refusals.length;
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const forward = customers.map((id) => purchase(id, `${id}-fwd-${round}`));
      const backward = [...customers].reverse().map((id) => purchase(id, `${id}-bwd-${round}`));
      const results = await Promise.all([ingest.ingestBatch(forward), ingest.ingestBatch(backward)]);
      expect(results).toEqual([{ accepted: 20, duplicates: 0, rejected: [] }, { accepted: 20, duplicates: 0, rejected: [] }]);
    }
    expect(refusals.slice(before)).not.toContain('40P01');
    for (const id of customers) expect(await balanceOf(id)).toBe(2 * rounds * 10);
  });

  it('counts an event two batches carry at once exactly once, the other batch answering duplicate, never failing', async () => {
    const events = Array.from({ length: 50 }, (_, i) => customerEvent(`twice-${String(i).padStart(2, '0')}`, 1));
    const purchases = events.map((event) => purchase(String(event.data.id), `${event.data.id}-buy`));
    const results: IngestResult[] = await Promise.all([ingest.ingestBatch([...events, ...purchases]), ingest.ingestBatch([...events, ...purchases])]);
    expect(results.map((r) => r.rejected)).toEqual([[], []]);
    expect(results[0].accepted + results[1].accepted).toBe(100);
    expect(results[0].duplicates + results[1].duplicates).toBe(100);
    expect(await one("SELECT COUNT(*) AS n FROM ingest_events WHERE id LIKE 'twice-%'")).toEqual({ n: 100 });
    expect(await one("SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS tokens FROM ledger_entries WHERE id LIKE 'twice-%'")).toEqual({ n: 50, tokens: 500 });
  });

  it('never leaves an event held for a parent that a batch in flight stores: the holder waits for that batch, then applies it', async () => {
    await ingest.ingestBatch([customerEvent('race-old', 0), chatEvent('race-chat', 'race-old', 'race-chat-0')]);
    // The storing batch creates race-new, then waits on the row lock of a chat it also upserts.
    let unlock = (): void => undefined;
    let locked = (): void => undefined;
    const chatLocked = new Promise<void>((resolve) => { locked = resolve; });
    const holder = storage.transaction(async (tx) => {
      await tx.get("SELECT id FROM chats WHERE id = 'race-chat' FOR UPDATE");
      locked();
      await new Promise<void>((resolve) => { unlock = resolve; });
    });
    await chatLocked;
    const storing = ingest.ingestBatch([customerEvent('race-new', 0), chatEvent('race-chat', 'race-old', 'race-chat-1')]);
    await waitersOnLocks(1);
    // Its chat's customer is not committed yet: this batch would hold the chat, and must wait instead.
    const waiting = ingest.ingestBatch([chatEvent('race-new-chat', 'race-new', 'race-new-chat-0')]);
    await Promise.race([waiting, waitersOnLocks(2)]);
    unlock();
    await holder;
    expect(await storing).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await waiting).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await one("SELECT customer_id FROM chats WHERE id = 'race-new-chat'")).toEqual({ customer_id: 'race-new' });
    expect(await storage.all("SELECT event_id FROM ingest_held WHERE event_id LIKE 'race-%'")).toEqual([]);
  });

  it('lets a late auto-refund undo the credits of its run: an applied one voided, a pending one rejected, by system', async () => {
    const events = scenario('late');
    await ingest.ingestBatch(events.slice(0, 10));
    await storage.transaction(async (tx) => {
      await tx.run(`INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES ('stf-late', 'late@tokendesk.test', 'Sam Lead', 'lead', ?, ?)`,
        [NOW.toISOString(), NOW.toISOString()]);
      for (const [id, status] of [['crd-late-applied', 'applied'], ['crd-late-pending', 'pending_approval']]) {
        await tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at, transaction_id)
          VALUES (?, 'late-cus', 50, 'missed_auto_refund', 'T-1', 'a video', 'nothing', 'stf-late', ?, ?, ?, ?)`,
        [id, status, `key-${id}`, NOW.toISOString(), status === 'applied' ? `txn-${id}` : null]);
        await tx.run("INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, 'late-g2', 50)", [id]);
      }
      await ledger.append(tx, { id: 'txn-crd-late-applied', customerId: 'late-cus', kind: 'manual_credit', amount: 50, creditId: 'crd-late-applied', generationId: 'late-g2' });
    });
    expect(await balanceOf('late-cus')).toBe(830 + 50);

    expect(await ingest.ingestBatch([events[10]])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await storage.all("SELECT id, status, voided_by FROM credits WHERE customer_id = 'late-cus' ORDER BY id")).toEqual([
      { id: 'crd-late-applied', status: 'voided', voided_by: 'system' },
      { id: 'crd-late-pending', status: 'rejected', voided_by: null },
    ]);
    expect(await balanceOf('late-cus')).toBe(980);
    expect(await one("SELECT tokens_auto_refunded, tokens_credited, tokens_reserved FROM generations WHERE id = 'late-g2'")).toEqual({
      tokens_auto_refunded: 150, tokens_credited: 0, tokens_reserved: 0,
    });
    expect(await storage.all("SELECT actor_type, action FROM audit_events WHERE customer_id = 'late-cus' ORDER BY seq")).toEqual([
      { actor_type: 'system', action: 'credit.voided' },
      { actor_type: 'system', action: 'credit.rejected' },
    ]);
  });
});

describe('chats and runs through the storage seam on PostgreSQL', () => {
  it('reads a chat, a run, its refund state and the creditable runs as on SQLite, leaving out the seed stories\' customers', async () => {
    await ingest.ingestBatch(scenario('reads'));
    const story = scenario('story').map((event) => JSON.parse(JSON.stringify(event).replaceAll('story-cus', 'cus_story_one')) as StudioEvent);
    await ingest.ingestBatch(story);
    expect(await chatRepository.byId(storage, 'reads-chat')).toMatchObject({ id: 'reads-chat', customer_id: 'reads-cus', title: 'Spring launch' });
    expect(await generationRepository.byId(storage, 'reads-g1')).toMatchObject({ id: 'reads-g1', status: 'succeeded', tokens_charged: 20 });
    const cutoff = NOW.toISOString();
    expect(await generationRepository.refundStateOf(storage, 'reads-g1', cutoff)).toBe('none');
    expect(await generationRepository.refundStateOf(storage, 'reads-g2', cutoff)).toBe('auto_refunded');
    expect(await generationRepository.refundStateOf(storage, 'reads-none', cutoff)).toBeUndefined();
    const creditable = (await generationRepository.creditableRuns(storage, 4, 1000)).map((run) => run.id);
    expect(creditable).toContain('reads-g1');
    expect(creditable).not.toContain('story-g1');
    expect(creditable).not.toContain('reads-g2');
  });
});
