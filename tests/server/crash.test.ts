import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { verifyChain } from '../../server/audit/auditChain.ts';
import { checkLedger } from '../../server/ledger/ledgerCheck.ts';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { serverWorld } from './support/serverWorld.ts';
import { creditLoad, ingestLoad } from './support/writeLoad.ts';
import { TEST_PASSWORD } from './support/testApp.ts';

const ROUNDS = 3;
const RUNS = 400;

/**
 * kill -9 of the server in the middle of a credit load, several times: every
 * grant the server acknowledged with a 2xx must be there after the restart,
 * and the ledger and the audit chain must verify.
 */
describe('crash mid-write', () => {
  it('keeps every acknowledged grant and ingestion batch through repeated kill -9', async () => {
    const { database, lead, customer, runIds } = await serverWorld({ runs: RUNS });

    const credits = new Map<string, string>();
    const events = new Set<string>();
    let sentCredits = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer({ DATABASE_PATH: database.path });
        const session = await httpSignIn(server.url, lead.email, TEST_PASSWORD);
        let dead = false;
        const before = runIds.length;
        const clients = [
          ...Array.from({ length: 6 }, () => creditLoad(server.url, session, customer.id, runIds, credits, () => dead)),
          ingestLoad(server.url, `r${round}x`, events, () => dead),
        ];
        await new Promise((resolve) => setTimeout(resolve, 500 + round * 150));
        server.child.kill('SIGKILL');
        dead = true;
        await server.exited;
        await Promise.all(clients);
        sentCredits += before - runIds.length;
      }
    } finally {
      const db = openDatabase(database.path);
      try {
        // The kills landed mid-load: some requests were in flight and never acknowledged.
        expect(credits.size).toBeGreaterThan(0);
        expect(credits.size).toBeLessThanOrEqual(sentCredits);
        expect(events.size).toBeGreaterThan(0);
        const storedCredits = new Set(db.prepare("SELECT id FROM credits WHERE status = 'applied' AND transaction_id IS NOT NULL").pluck().all() as string[]);
        for (const id of credits.keys()) expect(storedCredits.has(id)).toBe(true);
        const storedEvents = new Set(db.prepare('SELECT id FROM ingest_events UNION ALL SELECT event_id FROM ingest_held').pluck().all() as string[]);
        for (const id of events) expect(storedEvents.has(id)).toBe(true);
        expect(checkLedger(db)).toMatchObject({ ok: true, problems: [] });
        expect(verifyChain(createAuditRepository(db).iterateChain()).ok).toBe(true);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
        database.cleanup();
      }
    }
  }, 120_000);
});
