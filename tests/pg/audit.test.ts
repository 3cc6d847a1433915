/**
 * The audit log on PostgreSQL. Its chain verified (server/audit/chainVerifier.ts) in this thread
 * through the storage seam, and in threads that each open the database's URL on a connection of
 * their own and read their seq range in a snapshot: the answer is the single walk's, as on SQLite
 * (tests/server/auditChain.test.ts). Its list (db/repositories/auditQueries.ts) filtered, paged,
 * counted and streamed as the API and the CSV export read it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditQueries } from '../../db/repositories/auditQueries.ts';
import { auditRepository, type AuditRow } from '../../db/repositories/auditRepository.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import type { Storage } from '../../db/storage/types.ts';
import { canonicalJson, GENESIS_HASH, hashAuditEvent } from '../../server/audit/auditChain.ts';
import { createAuditAppender } from '../../server/audit/auditLog.ts';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { parseListQuery } from '../../server/resources/listQuery.ts';
import { runCli } from '../server/support/cli.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

let database: FreshDatabase;
let storage: Storage;
beforeAll(async () => {
  database = await freshDatabase();
  storage = createPostgresStorage(database.pool);
});
afterAll(async () => {
  await database?.drop();
});

/** A write with every trigger off (the append-only ones too), as a tamperer with the owner's rights could make it. */
const tamper = (sql: string, params: unknown[] = []): Promise<unknown> =>
  storage.transaction(async (tx) => {
    await tx.run('SET LOCAL session_replication_role = replica');
    return tx.run(sql, params);
  });

/** Appends `n` chained events, as audit.append writes them. */
async function writeEvents(n: number): Promise<void> {
  await storage.transaction(async (tx) => {
    let last = await auditRepository.last(tx);
    for (let i = 0; i < n; i++) {
      const unhashed: Omit<AuditRow, 'hash'> = {
        seq: (last?.seq ?? 0) + 1, at: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, actor_type: 'staff', actor_id: 'stf_1',
        actor_name: 'Ada', action: i % 3 === 0 ? 'test.third' : 'test.event', entity_type: 'thing', entity_id: `t${i}`,
        customer_id: i % 2 === 0 ? 'cus_even' : null,
        before_json: canonicalJson({ n: i }), after_json: canonicalJson({ n: i + 1, nested: { b: 1, a: 2 } }), reason: null,
        request_id: `req-${i}`, client_ip: '127.0.0.1', prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const row = { ...unhashed, hash: hashAuditEvent(unhashed) };
      await auditRepository.insert(tx, row);
      last = row;
    }
  });
}

const single = () => verifyAuditChain(storage);
// Nine events over three threads: ranges (…, 3], (3, 6], (6, …).
const threaded = () => verifyAuditChain(storage, { location: database.url, threads: 3, parallelFrom: 0 });

describe('appending to the chain on PostgreSQL', () => {
  it('chains a change\'s events in the database with the hashes JavaScript computes, whatever characters they carry', async () => {
    await tamper('DELETE FROM audit_events');
    await writeEvents(2);
    const appender = createAuditAppender(() => new Date('2026-12-06T05:30:00.000Z'));
    const odd = 'Zoë "quoted" \\ back\\slash\nnew line\ttab \u2028 😀 中文 \u0001';
    const placed = await storage.transaction((tx) =>
      appender.appendAll(tx, [
        { actor: { type: 'staff', id: 'stf_ü', name: odd }, action: 'credit.requested', entityType: 'credit', entityId: odd, customerId: 'cus_1', after: { note: odd, n: 1.5, big: 2 ** 53 - 1 }, reason: odd, origin: { requestId: 'req-ü', clientIp: '::1' } },
        { actor: { type: 'system' }, action: 'credit.applied', entityType: 'credit', entityId: null, before: { balance: 0 }, after: { balance: -7 } },
      ]));
    const rows = await storage.all<AuditRow>('SELECT * FROM audit_events ORDER BY seq');
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    expect(rows.slice(2)).toEqual(placed);
    for (const row of rows) {
      const { hash, ...unhashed } = row;
      expect(hashAuditEvent(unhashed)).toBe(hash);
    }
    expect(rows[2].prev_hash).toBe(rows[1].hash);
    expect(await verifyAuditChain(storage)).toMatchObject({ ok: true, checked: 4 });
  });

  it('gives two changes appending at once consecutive places, each change\'s events together', async () => {
    await tamper('DELETE FROM audit_events');
    const appender = createAuditAppender(() => new Date('2026-12-06T05:30:00.000Z'));
    const change = (n: number) => storage.transaction((tx) =>
      appender.appendAll(tx, [1, 2].map((i) => ({ actor: { type: 'system' as const }, action: `change.${n}`, entityType: 'test', entityId: `${n}-${i}` }))));
    await Promise.all(Array.from({ length: 8 }, (_, n) => change(n)));
    const rows = await storage.all<AuditRow>('SELECT seq, action, entity_id FROM audit_events ORDER BY seq');
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (let i = 0; i < 16; i += 2) expect([rows[i].entity_id, rows[i + 1].entity_id]).toEqual([`${rows[i].action.slice(7)}-1`, `${rows[i].action.slice(7)}-2`]);
    expect(await verifyAuditChain(storage)).toMatchObject({ ok: true, checked: 16 });
  });
});

describe('audit chain verification on PostgreSQL', () => {
  beforeEach(async () => {
    await tamper('DELETE FROM audit_events');
    await writeEvents(9);
  });

  it('verifies a clean chain in one walk and in threads of their own connections', async () => {
    expect(await single()).toEqual({ ok: true, checked: 9, first_bad_id: null });
    expect(await threaded()).toEqual({ ok: true, checked: 9, first_bad_id: null });
  });

  it.each([1, 4, 6, 9])('names an edit of event %i, threaded as in one walk', async (seq) => {
    await tamper("UPDATE audit_events SET reason = 'rewritten' WHERE seq = ?", [seq]);
    const walked = await single();
    expect(walked).toMatchObject({ ok: false, first_bad_id: seq, checked: seq, problem: `event ${seq} was changed after it was written` });
    expect(await threaded()).toEqual(walked);
  });

  it('is what npm run audit:verify checks when DATABASE_URL names the database', async () => {
    expect(runCli('auditVerify.ts', [], { DATABASE_URL: database.url })).toMatchObject({ status: 0, stdout: expect.stringMatching(/Audit chain OK: 9 events/) });
    await tamper("UPDATE audit_events SET reason = 'rewritten' WHERE seq = 4");
    const broken = runCli('auditVerify.ts', [], { DATABASE_URL: database.url });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/BROKEN at event 4: event 4 was changed after it was written/);
  });

  it('names the event after a deletion at the edge of a range', async () => {
    await tamper('DELETE FROM audit_events WHERE seq = 3');
    const walked = await single();
    expect(walked).toMatchObject({ ok: false, first_bad_id: 4 });
    expect(await threaded()).toEqual(walked);
  });
});

describe('the audit list on PostgreSQL', () => {
  beforeEach(async () => {
    await tamper('DELETE FROM audit_events');
    await writeEvents(9);
  });

  const request = (query: Record<string, unknown>) =>
    parseListQuery('audit', auditQueries, Object.fromEntries(Object.entries(query).map(([key, value]) => [key, JSON.stringify(value)]))).request;
  const seqs = (rows: AuditRow[]): number[] => rows.map((row) => row.seq);

  it('pages, filters and counts as on SQLite, newest first', async () => {
    expect(seqs(await auditQueries.page(storage, request({ range: [0, 3] })))).toEqual([9, 8, 7, 6]);
    expect(seqs(await auditQueries.page(storage, request({ filter: { customer_id: 'cus_even' }, sort: ['id', 'ASC'] })))).toEqual([1, 3, 5, 7, 9]);
    expect(seqs(await auditQueries.page(storage, request({ filter: { action: 'test.third', at_gte: '2026-01-01T00:00:03.000Z' } })))).toEqual([7, 4]);
    expect(await auditQueries.count(storage, request({ filter: { action: 'test.event' } }), {}, 10_001)).toBe(6);
  });

  it('takes event ids as text, and matches nothing for one that is not a number', async () => {
    expect(seqs(await auditQueries.page(storage, request({ filter: { id: ['2', 'x', '5'] } })))).toEqual([5, 2]);
    expect(seqs(await auditQueries.page(storage, request({ filter: { id: '7' } })))).toEqual([7]);
    expect(await auditQueries.page(storage, request({ filter: { id: 'x' } }))).toEqual([]);
    expect((await auditQueries.byId(storage, '3'))?.entity_id).toBe('t2');
    expect(await auditQueries.byId(storage, '99')).toBeUndefined();
  });

  it('streams the whole filtered list from a snapshot, a batch at a time', async () => {
    const streamed = await storage.snapshot(async (snapshot) => {
      const rows: AuditRow[] = [];
      for await (const row of auditQueries.streamAll(snapshot, request({ filter: { customer_id: ['cus_even'] } }))) rows.push(row);
      return rows;
    });
    expect(seqs(streamed)).toEqual([9, 7, 5, 3, 1]);
    expect(streamed[0]).toMatchObject({ seq: 9, customer_id: 'cus_even', after_json: '{"n":9,"nested":{"a":2,"b":1}}' });
  });
});
