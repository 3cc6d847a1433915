import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { canonicalJson, verifyChain } from '../../server/audit/auditChain.ts';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.cleanup());

function writeEvents(n: number): void {
  for (let i = 0; i < n; i++) {
    t.db.transaction(() => t.ctx.audit.record({
      actor: { type: 'staff', id: 'stf_1', name: 'Ada' }, action: 'test.event', entityType: 'thing', entityId: `t${i}`,
      before: { n: i }, after: { n: i + 1, nested: { b: 1, a: 2 } }, origin: { requestId: `req-${i}`, clientIp: '127.0.0.1' },
    })).immediate();
  }
}

const verify = () => verifyChain(createAuditRepository(t.db).iterateChain());

describe('audit hash chain', () => {
  it('encodes values canonically, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('chains each event to the one before and verifies a clean log', () => {
    writeEvents(5);
    const rows = [...createAuditRepository(t.db).iterateAll()];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[0].request_id).toBe('req-0');
    expect(verify()).toEqual({ ok: true, checked: 5, first_bad_id: null });
  });

  it('refuses events written outside a transaction', () => {
    expect(() => t.ctx.audit.record({ actor: { type: 'system' }, action: 'x', entityType: 'y' })).toThrow(/inside the transaction/);
  });

  it('refuses UPDATE and DELETE on audit events', () => {
    writeEvents(2);
    expect(() => t.db.prepare("UPDATE audit_events SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM audit_events WHERE seq = 2').run()).toThrow(/append-only/);
    expect(verify().ok).toBe(true);
  });

  it('names the first edited event, even when the editor bypasses the triggers', () => {
    writeEvents(6);
    t.db.exec('DROP TRIGGER audit_no_update');
    t.db.prepare("UPDATE audit_events SET after_json = '{\"n\":999}' WHERE seq = 4").run();
    expect(verify()).toMatchObject({ ok: false, checked: 4, first_bad_id: 4 });
  });

  it('names the event after a deleted one', () => {
    writeEvents(6);
    t.db.exec('DROP TRIGGER audit_no_delete');
    t.db.prepare('DELETE FROM audit_events WHERE seq = 3').run();
    expect(verify()).toMatchObject({ ok: false, first_bad_id: 4 });
  });

  it('finds a re-hashed edit through the broken link to the next event', () => {
    writeEvents(4);
    t.db.exec('DROP TRIGGER audit_no_update');
    // A forger who recomputes the edited event's own hash still breaks the next link.
    t.db.prepare("UPDATE audit_events SET hash = 'f'||substr(hash, 2) WHERE seq = 2").run();
    expect(verify()).toMatchObject({ ok: false, first_bad_id: 2 });
  });
});

describe('audit hash chain verified in threads', () => {
  // Nine events over three threads: ranges (…, 3], (3, 6], (6, …). Each damage is placed at a range's edge or inside it.
  const threaded = () => verifyAuditChain(t.ctx.storage, { location: t.dbPath, threads: 3, parallelFrom: 0 });

  it('verifies a clean chain in ranges and counts every event', async () => {
    writeEvents(9);
    expect(await threaded()).toEqual({ ok: true, checked: 9, first_bad_id: null });
  });

  it.each([1, 3, 4, 6, 7, 9])('gives the single walk\'s answer for an edit of event %i', async (seq) => {
    writeEvents(9);
    t.db.exec('DROP TRIGGER audit_no_update');
    t.db.prepare("UPDATE audit_events SET reason = 'rewritten' WHERE seq = ?").run(seq);
    const single = verify();
    expect(single).toMatchObject({ ok: false, first_bad_id: seq, checked: seq });
    expect(await threaded()).toEqual(single);
  });

  it.each([3, 4, 6])('gives the single walk\'s answer for a deletion of event %i, at the edge of a range', async (seq) => {
    writeEvents(9);
    t.db.exec('DROP TRIGGER audit_no_delete');
    t.db.prepare('DELETE FROM audit_events WHERE seq = ?').run(seq);
    const single = verify();
    expect(single).toMatchObject({ ok: false, first_bad_id: seq + 1 });
    expect(await threaded()).toEqual(single);
  });

  it('finds a re-hashed event at the end of a range through the next range\'s first link', async () => {
    writeEvents(9);
    t.db.exec('DROP TRIGGER audit_no_update');
    t.db.prepare("UPDATE audit_events SET hash = 'f'||substr(hash, 2) WHERE seq = 3").run();
    expect(await threaded()).toEqual(verify());
    expect(verify()).toMatchObject({ ok: false, first_bad_id: 3 });
  });

  it('reads events with a seq outside the expected span (inserted at 0 or far past the end)', async () => {
    writeEvents(9);
    // A copy of event 1 under another seq (its hash made unique with a letter no hex hash holds).
    const copyOfFirst = (seq: number, mark: string) =>
      t.db.prepare(`INSERT INTO audit_events SELECT ?, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, customer_id,
        before_json, after_json, reason, request_id, client_ip, prev_hash, ? || substr(hash, 2) FROM audit_events WHERE seq = 1`).run(seq, mark);
    copyOfFirst(1_000_000, 'x');
    expect(verify()).toMatchObject({ ok: false, first_bad_id: 1_000_000, checked: 10 });
    expect(await threaded()).toEqual(verify());
    copyOfFirst(0, 'y');
    expect(verify()).toMatchObject({ ok: false, first_bad_id: 0, checked: 1 });
    expect(await threaded()).toEqual(verify());
  });
});
