import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { creditEventBodySchema } from '../../shared/delivery.ts';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { serverWorld } from './support/serverWorld.ts';
import { newWebhookSecret, startStudioReceiver } from './support/studioReceiver.ts';
import { TEST_PASSWORD } from './support/testApp.ts';
import { creditLoad } from './support/writeLoad.ts';

const ROUNDS = 4;
const RUNS = 300;

/** Voids acknowledged credits now and then, recording each void the server acknowledged. */
async function voidLoad(url: string, session: { cookie: string; csrf: string }, credits: Map<string, string>, voided: Set<string>, stop: () => boolean) {
  while (!stop()) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    const candidate = [...credits.keys()].find((id, i) => i % 3 === 0 && !voided.has(id));
    if (!candidate) continue;
    try {
      const res = await fetch(`${url}/api/credits/${candidate}/void`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: session.cookie, 'X-CSRF-Token': session.csrf },
        body: JSON.stringify({ reason: 'Voided under load' }),
      });
      if (res.status === 200) voided.add(candidate);
    } catch {
      return;
    }
  }
}

/**
 * kill -9 of the server while it grants credits, voids some and pushes their
 * events to a studio that is slow and sometimes busy: after the last restart
 * every acknowledged credit and void reaches the studio, each event id is
 * booked once, every copy of an id carries the same bytes, and no void
 * arrives before its credit.
 */
describe('credit delivery through crashes', () => {
  it('delivers every acknowledged credit and void once in effect through repeated kill -9', async () => {
    const { database, env: databaseEnv, reopen, lead, customer, runIds } = await serverWorld({ runs: RUNS });

    const secret = newWebhookSecret();
    const receiver = await startStudioReceiver(secret);
    let answered = 0;
    // Slow enough that attempts are in flight when the server dies; now and then busy.
    receiver.behave(() => (++answered % 7 === 0 ? { answer: 503 } : { answer: 200, delayMs: 30 + (answered % 5) * 20 }));
    const env = {
      ...databaseEnv,
      STUDIO_WEBHOOK_URL: receiver.url,
      STUDIO_WEBHOOK_SECRET: secret,
      STUDIO_WEBHOOK_TIMEOUT_SECONDS: '1',
      STUDIO_WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 30 }, () => '1s').join(','),
      STUDIO_WEBHOOK_CONCURRENCY: '3',
    };

    const credits = new Map<string, string>();
    const voided = new Set<string>();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServer(env);
        const session = await httpSignIn(server.url, lead.email, TEST_PASSWORD);
        let dead = false;
        const clients = [
          ...Array.from({ length: 3 }, () => creditLoad(server.url, session, customer.id, runIds, credits, () => dead)),
          voidLoad(server.url, session, credits, voided, () => dead),
        ];
        await new Promise((resolve) => setTimeout(resolve, 700 + round * 200));
        server.child.kill('SIGKILL');
        dead = true;
        await server.exited;
        await Promise.all(clients);
      }
      expect(credits.size).toBeGreaterThan(0);
      expect(voided.size).toBeGreaterThan(0);

      // One last start: leases cut by the kills run out (timeout + 5 s) and everything goes.
      receiver.behave(() => ({ answer: 200 }));
      const server = await startServer(env);
      const watching = await reopen();
      try {
        const undelivered = async (): Promise<number | undefined> =>
          (await watching.storage.get<{ n: number }>("SELECT COUNT(*) AS n FROM credit_events WHERE state <> 'delivered'"))?.n;
        const deadline = Date.now() + 40_000;
        while ((await undelivered()) !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await undelivered()).toBe(0);
      } finally {
        await watching.close();
      }
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      await receiver.stop();
    }

    const opened = await reopen();
    try {
      const { storage } = opened;
      const events = await storage.all<{ id: string; credit_id: string; type: string; body: string }>('SELECT id, credit_id, type, body FROM credit_events ORDER BY seq');
      const entries = await storage.all<{ id: string }>("SELECT id FROM ledger_entries WHERE kind IN ('manual_credit', 'credit_void')");
      expect(new Set(events.map((e) => e.id))).toEqual(new Set(entries.map((e) => e.id)));
      // Every acknowledged credit and void has its event, delivered.
      const byCredit = new Map<string, { type: string; id: string }[]>();
      for (const event of events) byCredit.set(event.credit_id, [...(byCredit.get(event.credit_id) ?? []), event]);
      for (const id of credits.keys()) expect(byCredit.get(id)?.[0]?.type).toBe('credit.applied');
      for (const id of voided) expect(byCredit.get(id)?.map((e) => e.type)).toEqual(['credit.applied', 'credit.voided']);

      // Booked once each, with the stored bytes; every attempt of an id carried the same bytes, all verified.
      expect(receiver.attempts.length).toBeGreaterThan(receiver.booked.size);
      expect(new Set(receiver.booked.keys())).toEqual(new Set(events.map((e) => e.id)));
      for (const event of events) expect(receiver.booked.get(event.id)).toBe(event.body);
      for (const attempt of receiver.attempts) {
        expect(attempt.verified).toBe(true);
        expect(attempt.body).toBe(receiver.booked.get(attempt.id));
      }
      // Applied before voided, per credit, in the order the studio booked them.
      const bookedOrder = [...receiver.booked.keys()];
      for (const [, pair] of byCredit) {
        if (pair.length === 2) expect(bookedOrder.indexOf(pair[0].id)).toBeLessThan(bookedOrder.indexOf(pair[1].id));
      }
      for (const body of receiver.booked.values()) creditEventBodySchema.parse(JSON.parse(body));
      expect(await verifyLedger(storage)).toMatchObject({ ok: true, problems: [] });
      expect((await verifyAuditChain(storage)).ok).toBe(true);
    } finally {
      await opened.close();
      await database.cleanup();
    }
  }, 180_000);
});
