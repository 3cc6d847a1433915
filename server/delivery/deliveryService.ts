import type { Db } from '../../db/connection.ts';
import { createCreditEventRepository } from '../../db/repositories/creditEventRepository.ts';
import { createCreditRepository } from '../../db/repositories/creditRepository.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import {
  creditEventBodySchema,
  type CreditEventType,
  type CreditFeedPage,
  type StudioDeliveryReport,
} from '../../shared/delivery.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { Conflict, NotFound } from '../errors.ts';

/** Why an echo from the studio does not match the event it names: the field at fault and the reason. */
export class EchoMismatch extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EchoMismatch';
  }
}

export interface StudioEcho {
  type: CreditEventType;
  transaction_id: string;
  credit_id: string;
  customer_id: string;
  amount: number;
}

/**
 * Everything about credit delivery that is not the dispatcher: leads' and
 * admins' retries, the studio's pull feed with its acknowledgement, the
 * studio's echo, and the delivery report. Each change is one transaction with
 * its audit event. `wake` tells the dispatcher something became due.
 */
export function createDeliveryService(
  db: Db,
  config: Pick<Config, 'webhook' | 'feedToken'>,
  audit: AuditLog,
  clock: Clock,
  creditRecord: (id: string) => CreditRecord,
  wake: () => void,
) {
  const events = createCreditEventRepository(db);
  const credits = createCreditRepository(db);

  /** A lead's "Retry now": every failing or given-up event of the credit is due now. */
  function retryCredit(creditId: string, actor: Actor, origin: RequestOrigin): CreditRecord {
    const record = db
      .transaction(() => {
        const credit = credits.byId(creditId);
        if (!credit) throw new NotFound('Credit', creditId);
        const before = events.forCredit(creditId).map((event) => ({ event_id: event.id, state: event.state, attempts: event.attempts }));
        const retried = events.retryCredit(creditId, isoNow(clock));
        if (retried === 0) throw new Conflict('nothing_to_retry', `Nothing of credit ${creditId} is failing or given up: there is nothing to retry.`);
        audit.record({
          actor, action: 'credit.delivery_retried', entityType: 'credit', entityId: creditId, customerId: credit.customer_id,
          before: { events: before }, after: { retried }, origin,
        });
        return creditRecord(creditId);
      })
      .immediate();
    wake();
    return record;
  }

  /** An admin's retry of every given-up event, each with the whole schedule again. */
  function retryGivenUp(actor: Actor, origin: RequestOrigin): { retried: number } {
    const retried = db
      .transaction(() => {
        const count = events.retryGivenUp(isoNow(clock));
        audit.record({ actor, action: 'studio.delivery_retried_given_up', entityType: 'credit_event', after: { retried: count }, origin });
        return count;
      })
      .immediate();
    wake();
    return { retried };
  }

  /**
   * A page of the feed after `after`. Asking for it acknowledges every event
   * up to `after`: the studio has them, so they are delivered (by the feed)
   * and never pushed again.
   */
  function feedPage(after: number, limit: number): CreditFeedPage {
    return db
      .transaction((): CreditFeedPage => {
        if (after > 0) events.acknowledge(after, isoNow(clock));
        const rows = events.feedPage(after, limit + 1);
        const page = rows.slice(0, limit).map((row) => {
          const body = creditEventBodySchema.parse(JSON.parse(row.body));
          return { seq: row.seq, id: row.id, type: body.type, timestamp: body.timestamp, data: body.data };
        });
        return { events: page, next_cursor: page.at(-1)?.seq ?? after, has_more: rows.length > limit };
      })
      .immediate();
  }

  /**
   * The studio's confirmation that it booked an event. Runs inside the
   * ingestion batch's transaction; writes no ledger entry (the entry exists).
   * True when it confirmed the event now, false when it was confirmed before.
   */
  function confirmEcho(echo: StudioEcho): boolean {
    const event = events.byId(echo.transaction_id);
    if (!event) throw new EchoMismatch('data.transaction_id', `no credit event ${echo.transaction_id}`);
    if (event.type !== echo.type) throw new EchoMismatch('type', `event ${event.id} is a ${event.type} event, not ${echo.type}`);
    if (event.credit_id !== echo.credit_id) throw new EchoMismatch('data.credit_id', `event ${event.id} belongs to credit ${event.credit_id}, not ${echo.credit_id}`);
    if (event.customer_id !== echo.customer_id) {
      throw new EchoMismatch('data.customer_id', `event ${event.id} is for customer ${event.customer_id}, not ${echo.customer_id}`);
    }
    if (event.amount !== echo.amount) throw new EchoMismatch('data.amount', `event ${event.id} is for ${event.amount} tokens, not ${echo.amount}`);
    return events.confirm(event.id, isoNow(clock));
  }

  function report(): StudioDeliveryReport {
    const summary = events.summary();
    return {
      push_enabled: config.webhook !== null,
      feed_enabled: config.feedToken !== null,
      counts: events.counts(),
      oldest_undelivered_at: summary.oldest_undelivered_at,
      last_delivered_at: summary.last_delivered_at,
      last_error: summary.last_error,
      oldest_failing_since: summary.oldest_failing_since,
    };
  }

  return { retryCredit, retryGivenUp, feedPage, confirmEcho, report };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;
