import type { Db } from '../db/connection.ts';
import type { AppContext } from '../server/context.ts';

const EVENTS_PER_TRANSACTION = 50_000;

/**
 * Appends `count` chained audit events of the shape a credit request writes,
 * through the app's own audit log (so the chain is the current code's), in
 * large transactions. Returns the seconds it took.
 */
export function appendAuditEvents(ctx: AppContext & { db: Db }, count: number, customerIds: readonly string[]): number {
  const started = performance.now();
  for (let done = 0; done < count; ) {
    const upTo = Math.min(count, done + EVENTS_PER_TRANSACTION);
    ctx.db
      .transaction(() => {
        for (; done < upTo; done++) {
          ctx.audit.record({
            actor: { type: 'staff', id: 'bench', name: 'Bench Lead' },
            action: 'credit.requested',
            entityType: 'credit',
            entityId: `bench-credit-${done}`,
            customerId: customerIds.length > 0 ? customerIds[done % customerIds.length] : null,
            after: { status: 'applied', amount: 100 + (done % 900), reason: 'off_prompt', ticket_ref: `BENCH-${done}`, items: [{ generation_id: `bench-run-${done}`, tokens: 100 }] },
            origin: { requestId: `bench-${done}`, clientIp: '127.0.0.1' },
          });
        }
      })
      .immediate();
  }
  return (performance.now() - started) / 1000;
}
