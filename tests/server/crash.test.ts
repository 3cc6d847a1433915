import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { verifyChain } from '../../server/audit/auditChain.ts';
import { loadConfig } from '../../server/config.ts';
import { createContext } from '../../server/context.ts';
import { checkLedger } from '../../server/ledger/ledgerCheck.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { buildStaff, manualClock, tempDatabase, TEST_PASSWORD } from './support/testApp.ts';

const ROUNDS = 3;
const RUNS = 400;

/**
 * kill -9 of the server in the middle of a credit load, several times: every
 * grant the server acknowledged with a 2xx must be there after the restart,
 * and the ledger and the audit chain must verify.
 */
describe('crash mid-write', () => {
  it('keeps every acknowledged grant through repeated kill -9', async () => {
    const database = tempDatabase();
    const setup = createContext(database.db, loadConfig({ DATABASE_PATH: database.path }), manualClock(new Date().toISOString()).clock, pino({ level: 'silent' }));
    const lead = await buildStaff(setup, { role: 'lead' });
    const customer = buildCustomer(setup, { balance: 10_000 });
    const chat = buildChat(setup, customer.id);
    const runIds = Array.from({ length: RUNS }, () => buildRun(setup, chat, customer.id, { charge: 5 }).id);
    database.db.close();

    const acknowledged = new Map<string, string>();
    let next = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer({ DATABASE_PATH: database.path });
        const session = await httpSignIn(server.url, lead.email, TEST_PASSWORD);
        const send = async (): Promise<void> => {
          while (next < runIds.length) {
            const run = runIds[next++];
            try {
              const res = await fetch(`${server.url}/api/credits`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'Idempotency-Key': `crash-${run}` },
                body: JSON.stringify({ customer_id: customer.id, items: [{ generation_id: run, tokens: 5 }], amount: 5, reason: 'off_prompt', ticket_ref: 'T-1', expected: 'e', received: 'r' }),
              });
              if (res.status === 201) acknowledged.set(((await res.json()) as { id: string }).id, run);
            } catch {
              return; // the server died under us: that request was never acknowledged
            }
          }
        };
        const clients = Array.from({ length: 8 }, send);
        await new Promise((resolve) => setTimeout(resolve, 400 + round * 150));
        server.child.kill('SIGKILL');
        await server.exited;
        await Promise.all(clients);
      }
    } finally {
      const db = openDatabase(database.path);
      try {
        expect(acknowledged.size).toBeGreaterThan(0);
        const stored = db.prepare("SELECT id FROM credits WHERE status = 'applied' AND transaction_id IS NOT NULL").pluck().all() as string[];
        const storedSet = new Set(stored);
        for (const id of acknowledged.keys()) expect(storedSet.has(id)).toBe(true);
        expect(checkLedger(db)).toMatchObject({ ok: true, problems: [] });
        expect(verifyChain(createAuditRepository(db).iterateAll()).ok).toBe(true);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
        database.cleanup();
      }
    }
  }, 120_000);
});
