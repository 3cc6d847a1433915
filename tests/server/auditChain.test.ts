import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../db/repositories/auditRepository.ts';
import type { Params, Statement } from '../../db/storage/types.ts';
import { canonicalJson } from '../../server/audit/auditChain.ts';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { createTestApp, onSqlite, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

/** `n` events, each appended in a transaction of its own. */
async function writeEvents(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.ctx.storage.transaction((tx) => t.ctx.audit.append(tx, {
      actor: { type: 'staff', id: 'stf_1', name: 'Ada' }, action: 'test.event', entityType: 'thing', entityId: `t${i}`,
      before: { n: i }, after: { n: i + 1, nested: { b: 1, a: 2 } }, origin: { requestId: `req-${i}`, clientIp: '127.0.0.1' },
    }));
  }
}

/** The whole chain walked once, in this thread. */
const verify = () => verifyAuditChain(t.ctx.storage);

/** `statement` run by an editor with the schema owner's rights, who first drops the append-only trigger `trigger`. */
const bypassing = (trigger: 'audit_no_update' | 'audit_no_delete', statement: Statement, params?: Params) =>
  t.ctx.storage.transaction(async (tx) => {
    await tx.run({ sqlite: `DROP TRIGGER ${trigger}`, postgres: `DROP TRIGGER ${trigger} ON audit_events` });
    return tx.run(statement, params);
  });

describe('audit hash chain', () => {
  it('encodes values canonically, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('chains each event to the one before and verifies a clean log', async () => {
    await writeEvents(5);
    const rows = await t.rows<AuditRow>('SELECT * FROM audit_events ORDER BY seq');
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[0].request_id).toBe('req-0');
    expect(await verify()).toEqual({ ok: true, checked: 5, first_bad_id: null });
  });

  // The synchronous audit.record is the SQLite history import's twin: outside a transaction it refuses
  // to write; on PostgreSQL it does not exist. audit.append takes the transaction of its change by its type.
  it('refuses events written outside a transaction (SQLite), and has no synchronous writer on PostgreSQL', () => {
    expect(() => t.ctx.audit.record({ actor: { type: 'system' }, action: 'x', entityType: 'y' })).toThrow(
      onSqlite ? /inside the transaction/ : /runs on SQLite only/,
    );
  });

  it('refuses UPDATE and DELETE on audit events', async () => {
    await writeEvents(2);
    await expect(t.run("UPDATE audit_events SET reason = 'x'")).rejects.toThrow(/append-only/);
    await expect(t.run('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(/append-only/);
    expect(await t.value('SELECT COUNT(*) FROM audit_events WHERE reason IS NULL')).toBe(2);
    expect((await verify()).ok).toBe(true);
  });

  it('names the first edited event, even when the editor bypasses the triggers', async () => {
    await writeEvents(6);
    expect(await bypassing('audit_no_update', "UPDATE audit_events SET after_json = '{\"n\":999}' WHERE seq = 4")).toEqual({ changes: 1 });
    expect(await verify()).toMatchObject({ ok: false, checked: 4, first_bad_id: 4 });
  });

  it('names the event after a deleted one', async () => {
    await writeEvents(6);
    expect(await bypassing('audit_no_delete', 'DELETE FROM audit_events WHERE seq = 3')).toEqual({ changes: 1 });
    expect(await verify()).toMatchObject({ ok: false, first_bad_id: 4 });
  });

  it('finds a re-hashed edit through the broken link to the next event', async () => {
    await writeEvents(4);
    // A forger who recomputes the edited event's own hash still breaks the next link.
    expect(await bypassing('audit_no_update', "UPDATE audit_events SET hash = 'f'||substr(hash, 2) WHERE seq = 2")).toEqual({ changes: 1 });
    expect(await verify()).toMatchObject({ ok: false, first_bad_id: 2 });
  });
});

describe('audit hash chain verified in threads', () => {
  // Nine events over three threads: ranges (…, 3], (3, 6], (6, …). Each damage is placed at a range's edge or inside it.
  // Each thread opens the database itself: the SQLite file, or the PostgreSQL database by its URL.
  const threaded = () => {
    const location = t.databaseEnv.DATABASE_URL ?? t.databaseEnv.DATABASE_PATH;
    if (!location) throw new Error('the test database has a location');
    return verifyAuditChain(t.ctx.storage, { location, threads: 3, parallelFrom: 0 });
  };

  it('verifies a clean chain in ranges and counts every event', async () => {
    await writeEvents(9);
    expect(await threaded()).toEqual({ ok: true, checked: 9, first_bad_id: null });
  });

  it.each([1, 3, 4, 6, 7, 9])('gives the single walk\'s answer for an edit of event %i', async (seq) => {
    await writeEvents(9);
    expect(await bypassing('audit_no_update', "UPDATE audit_events SET reason = 'rewritten' WHERE seq = ?", [seq])).toEqual({ changes: 1 });
    const single = await verify();
    expect(single).toMatchObject({ ok: false, first_bad_id: seq, checked: seq });
    expect(await threaded()).toEqual(single);
  });

  it.each([3, 4, 6])('gives the single walk\'s answer for a deletion of event %i, at the edge of a range', async (seq) => {
    await writeEvents(9);
    expect(await bypassing('audit_no_delete', 'DELETE FROM audit_events WHERE seq = ?', [seq])).toEqual({ changes: 1 });
    const single = await verify();
    expect(single).toMatchObject({ ok: false, first_bad_id: seq + 1 });
    expect(await threaded()).toEqual(single);
  });

  it('finds a re-hashed event at the end of a range through the next range\'s first link', async () => {
    await writeEvents(9);
    expect(await bypassing('audit_no_update', "UPDATE audit_events SET hash = 'f'||substr(hash, 2) WHERE seq = 3")).toEqual({ changes: 1 });
    const single = await verify();
    expect(await threaded()).toEqual(single);
    expect(single).toMatchObject({ ok: false, first_bad_id: 3 });
  });

  it('reads events with a seq outside the expected span (inserted at 0 or far past the end)', async () => {
    await writeEvents(9);
    // A copy of event 1 under another seq (its hash made unique with a letter no hex hash holds).
    const copyOfFirst = (seq: number, mark: string) =>
      t.run(`INSERT INTO audit_events SELECT CAST(? AS INTEGER), at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
        before_json, after_json, reason, request_id, client_ip, prev_hash, CAST(? AS TEXT) || substr(hash, 2) FROM audit_events WHERE seq = 1`, [seq, mark]);
    expect(await copyOfFirst(1_000_000, 'x')).toEqual({ changes: 1 });
    const far = await verify();
    expect(far).toMatchObject({ ok: false, first_bad_id: 1_000_000, checked: 10 });
    expect(await threaded()).toEqual(far);
    expect(await copyOfFirst(0, 'y')).toEqual({ changes: 1 });
    const zero = await verify();
    expect(zero).toMatchObject({ ok: false, first_bad_id: 0, checked: 1 });
    expect(await threaded()).toEqual(zero);
  });
});
