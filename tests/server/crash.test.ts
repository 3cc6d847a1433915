import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { serverWorld } from './support/serverWorld.ts';
import { creditLoad, ingestLoad } from './support/writeLoad.ts';
import { TEST_PASSWORD } from './support/testApp.ts';

const ROUNDS = 3;
const RUNS = 400;

/**
 * kill -9 of the server in the middle of a credit load, several times: every
 * grant the server acknowledged with a 2xx must be there after the restart,
 * and the ledger and the audit chain must verify. On PostgreSQL the kill also
 * drops the server's connections mid-transaction.
 */
describe('crash mid-write', () => {
  it('keeps every acknowledged grant and ingestion batch through repeated kill -9', async () => {
    const { database, env, reopen, lead, customer, runIds } = await serverWorld({ runs: RUNS });

    const credits = new Map<string, string>();
    const events = new Set<string>();
    let sentCredits = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer(env);
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
      const opened = await reopen();
      try {
        // The kills landed mid-load: some requests were in flight and never acknowledged.
        expect(credits.size).toBeGreaterThan(0);
        expect(credits.size).toBeLessThanOrEqual(sentCredits);
        expect(events.size).toBeGreaterThan(0);
        const { storage } = opened;
        const storedCredits = new Set(
          (await storage.all<{ id: string }>("SELECT id FROM credits WHERE status = 'applied' AND transaction_id IS NOT NULL")).map((row) => row.id),
        );
        for (const id of credits.keys()) expect(storedCredits.has(id)).toBe(true);
        const storedEvents = new Set(
          (await storage.all<{ id: string }>('SELECT id FROM ingest_events UNION ALL SELECT event_id AS id FROM ingest_held')).map((row) => row.id),
        );
        for (const id of events) expect(storedEvents.has(id)).toBe(true);
        expect(await verifyLedger(storage)).toMatchObject({ ok: true, problems: [] });
        expect((await verifyAuditChain(storage)).ok).toBe(true);
        // The SQLite file itself is whole (PostgreSQL's own recovery is not this test's to check).
        if (opened.engine === 'sqlite') expect(opened.db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        await opened.close();
        await database.cleanup();
      }
    }
  }, 120_000);
});
