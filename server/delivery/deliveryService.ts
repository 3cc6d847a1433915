import type { Db } from '../../db/connection.ts';
import { createCreditEventRepository, creditEventRepository, type CreditEventRow } from '../../db/repositories/creditEventRepository.ts';
import { creditRepository } from '../../db/repositories/creditRepository.ts';
import type { Storage, Transaction } from '../../db/storage/types.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import {
  creditEventBodySchema,
  type CreditEventType,
  type CreditFeedPage,
  type StudioDeliveryReport,
} from '../../shared/delivery.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { sqliteOnly } from '../sqliteOnly.ts';
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
 * its audit event. `wake` tells the dispatcher something became due; it is
 * called after the commit, so that the dispatcher's claim finds what changed.
 */
export function createDeliveryService(
  storage: Storage,
  db: Db | null,
  config: Pick<Config, 'webhook' | 'feedToken'>,
  audit: AuditLog,
  clock: Clock,
  creditRecord: (id: string) => CreditRecord | Promise<CreditRecord>,
  wake: () => void,
) {
  /** The synchronous echo, for ingestion until it moves onto the seam. */
  const events = sqliteOnly(db, 'the synchronous echo', createCreditEventRepository);

  /** A lead's "Retry now": every failing or given-up event of the credit is due now. */
  async function retryCredit(creditId: string, actor: Actor, origin: RequestOrigin): Promise<CreditRecord> {
    await storage.transaction(async (tx) => {
      const credit = await creditRepository.byId(tx, creditId);
      if (!credit) throw new NotFound('Credit', creditId);
      const before = (await creditEventRepository.forCreditLocked(tx, creditId))
        .map((event) => ({ event_id: event.id, state: event.state, attempts: event.attempts }));
      const retried = await creditEventRepository.retryCredit(tx, creditId, isoNow(clock));
      if (retried === 0) throw new Conflict('nothing_to_retry', `Nothing of credit ${creditId} is failing or given up: there is nothing to retry.`);
      await audit.append(tx, {
        actor, action: 'credit.delivery_retried', entityType: 'credit', entityId: creditId, customerId: credit.customer_id,
        before: { events: before }, after: { retried }, origin,
      });
    });
    wake();
    return creditRecord(creditId);
  }

  /** An admin's retry of every given-up event, each with the whole schedule again. */
  async function retryGivenUp(actor: Actor, origin: RequestOrigin): Promise<{ retried: number }> {
    const retried = await storage.transaction(async (tx) => {
      const count = await creditEventRepository.retryGivenUp(tx, isoNow(clock));
      await audit.append(tx, { actor, action: 'studio.delivery_retried_given_up', entityType: 'credit_event', after: { retried: count }, origin });
      return count;
    });
    wake();
    return { retried };
  }

  /**
   * A page of the feed after `after`. Asking for it acknowledges every event
   * up to `after`: the studio has them, so they are delivered (by the feed)
   * and never pushed again.
   */
  async function feedPage(after: number, limit: number): Promise<CreditFeedPage> {
    // A body that does not parse undoes the acknowledgement with the page.
    return storage.transaction(async (tx): Promise<CreditFeedPage> => {
      if (after > 0) await creditEventRepository.acknowledge(tx, after, isoNow(clock));
      const rows = await creditEventRepository.feedPage(tx, after, limit + 1);
      const page = rows.slice(0, limit).map((row) => {
        const body = creditEventBodySchema.parse(JSON.parse(row.body));
        return { seq: row.seq, id: row.id, type: body.type, timestamp: body.timestamp, data: body.data };
      });
      return { events: page, next_cursor: page.at(-1)?.seq ?? after, has_more: rows.length > limit };
    });
  }

  /**
   * The studio's confirmation that it booked an event, inside the ingestion
   * batch's transaction `tx`; writes no ledger entry (the entry exists). True
   * when it confirmed the event now, false when it was confirmed before.
   */
  async function confirmEchoIn(tx: Transaction, echo: StudioEcho): Promise<boolean> {
    const event = await creditEventRepository.byId(tx, echo.transaction_id);
    checkEcho(event, echo);
    return creditEventRepository.confirm(tx, echo.transaction_id, isoNow(clock));
  }

  /** confirmEchoIn on the synchronous connection, for ingestion until it moves onto the seam. */
  function confirmEcho(echo: StudioEcho): boolean {
    checkEcho(events().byId(echo.transaction_id), echo);
    return events().confirm(echo.transaction_id, isoNow(clock));
  }

  async function report(): Promise<StudioDeliveryReport> {
    const [summary, counts] = await Promise.all([creditEventRepository.summary(storage), creditEventRepository.counts(storage)]);
    return {
      push_enabled: config.webhook !== null,
      feed_enabled: config.feedToken !== null,
      counts,
      oldest_undelivered_at: summary.oldest_undelivered_at,
      last_delivered_at: summary.last_delivered_at,
      last_error: summary.last_error,
      oldest_failing_since: summary.oldest_failing_since,
    };
  }

  return { retryCredit, retryGivenUp, feedPage, confirmEchoIn, confirmEcho, report };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;

/** Throws EchoMismatch naming the first field of the echo that does not match its event. */
function checkEcho(event: CreditEventRow | undefined, echo: StudioEcho): asserts event is CreditEventRow {
  if (!event) throw new EchoMismatch('data.transaction_id', `no credit event ${echo.transaction_id}`);
  if (event.type !== echo.type) throw new EchoMismatch('type', `event ${event.id} is a ${event.type} event, not ${echo.type}`);
  if (event.credit_id !== echo.credit_id) throw new EchoMismatch('data.credit_id', `event ${event.id} belongs to credit ${event.credit_id}, not ${echo.credit_id}`);
  if (event.customer_id !== echo.customer_id) {
    throw new EchoMismatch('data.customer_id', `event ${event.id} is for customer ${event.customer_id}, not ${echo.customer_id}`);
  }
  if (event.amount !== echo.amount) throw new EchoMismatch('data.amount', `event ${event.id} is for ${event.amount} tokens, not ${echo.amount}`);
}
