import type { CreditEventType, DeliveryChannel, DeliveryState } from '../../shared/delivery.ts';
import type { Db } from '../connection.ts';
import type { Transaction } from '../storage/types.ts';

/** A credit event as stored: the frozen body and where its delivery stands. */
export interface CreditEventRow {
  seq: number;
  id: string;
  credit_id: string;
  customer_id: string;
  type: CreditEventType;
  amount: number;
  body: string;
  created_at: string;
  state: DeliveryState;
  attempts: number;
  failures: number;
  due_at: string | null;
  lease_token: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  failing_since: string | null;
  delivered_at: string | null;
  delivered_via: DeliveryChannel | null;
  studio_ref: string | null;
  confirmed_at: string | null;
}

export type NewCreditEvent = Pick<CreditEventRow, 'id' | 'credit_id' | 'customer_id' | 'type' | 'amount' | 'body' | 'created_at'>;

/** What an attempt needs: the event's identity, its bytes and its place in the retry schedule. */
export type DueEvent = Pick<CreditEventRow, 'seq' | 'id' | 'credit_id' | 'customer_id' | 'type' | 'body' | 'failures' | 'attempts'>;

export interface AttemptFailure {
  seq: number;
  lease_token: string;
  now: string;
  last_status: number | null;
  last_error: string;
}

export interface DeliveryCounts {
  pending: number;
  failing: number;
  given_up: number;
  delivered: number;
}

export interface DeliverySummaryRow {
  oldest_undelivered_at: string | null;
  last_delivered_at: string | null;
  last_error: string | null;
  oldest_failing_since: string | null;
}

/** The states that still have an attempt ahead of them. */
const UNDELIVERED = `('pending', 'delivering', 'failing')`;

/**
 * The credit event outbox (docs/integration.md). Rows are written with their
 * ledger entry and never deleted; the delivery columns move only through the
 * statements below, each guarded by the state (and lease) it expects, so a
 * late or repeated outcome changes nothing.
 */
const sql = {
  insert: `INSERT INTO credit_events
    (id, credit_id, customer_id, type, amount, body, created_at, state, due_at)
    VALUES (@id, @credit_id, @customer_id, @type, @amount, @body, @created_at, 'pending', @due_at)`,
};

/** The outbox through the storage seam (db/storage/types.ts). */
export const creditEventRepository = {
  /** Queues a new event, due at once. Runs inside the ledger entry's transaction, before the entry. */
  insert: async (tx: Transaction, event: NewCreditEvent): Promise<void> => {
    await tx.run(sql.insert, { ...event, due_at: event.created_at });
  },
};

export function createCreditEventRepository(db: Db) {
  const insert = db.prepare<NewCreditEvent & { due_at: string }>(sql.insert);

  // A void waits until the studio has the credit it reverses (never two attempts for one credit).
  const due = db.prepare<{ now: string; limit: number }, DueEvent>(`SELECT e.seq, e.id, e.credit_id, e.customer_id, e.type, e.body, e.failures, e.attempts
      FROM credit_events e
     WHERE e.due_at IS NOT NULL AND e.due_at <= @now AND e.state IN ${UNDELIVERED}
       AND (e.type = 'credit.applied' OR EXISTS (SELECT 1 FROM credit_events a
             WHERE a.credit_id = e.credit_id AND a.type = 'credit.applied' AND a.state = 'delivered'))
     ORDER BY e.due_at, e.seq LIMIT @limit`);
  const lease = db.prepare<{ seq: number; lease_token: string; now: string; lease_until: string }>(`UPDATE credit_events
       SET state = 'delivering', lease_token = @lease_token, due_at = @lease_until, attempts = attempts + 1, last_attempt_at = @now
     WHERE seq = @seq AND state IN ${UNDELIVERED} AND due_at <= @now`);
  const delivered = db.prepare<{ seq: number; lease_token: string; now: string; last_status: number; studio_ref: string | null }>(`UPDATE credit_events
       SET state = 'delivered', delivered_at = @now, delivered_via = 'webhook', studio_ref = @studio_ref, last_status = @last_status,
           last_error = NULL, failing_since = NULL, due_at = NULL, lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`);
  const failing = db.prepare<AttemptFailure & { due_at: string }>(`UPDATE credit_events
       SET state = 'failing', failures = failures + 1, due_at = @due_at, last_status = @last_status, last_error = @last_error,
           failing_since = COALESCE(failing_since, @now), lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`);
  const givenUp = db.prepare<AttemptFailure>(`UPDATE credit_events
       SET state = 'given_up', failures = failures + 1, due_at = NULL, last_status = @last_status, last_error = @last_error,
           failing_since = COALESCE(failing_since, @now), lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`);
  // A given-up event starts the whole schedule again; a failing one keeps its place in it.
  const retryCredit = db.prepare<{ credit_id: string; now: string }>(`UPDATE credit_events
       SET failures = CASE state WHEN 'given_up' THEN 0 ELSE failures END, state = 'failing', due_at = @now
     WHERE credit_id = @credit_id AND state IN ('failing', 'given_up')`);
  const retryGivenUp = db.prepare<{ now: string }>(`UPDATE credit_events
       SET failures = 0, state = 'failing', due_at = @now WHERE state = 'given_up'`);
  const acknowledge = db.prepare<{ up_to: number; now: string }>(`UPDATE credit_events
       SET state = 'delivered', delivered_at = @now, delivered_via = 'feed', failing_since = NULL, due_at = NULL, lease_token = NULL
     WHERE state IN ('pending', 'delivering', 'failing', 'given_up') AND seq <= @up_to`);
  const feedPage = db.prepare<{ after: number; limit: number }, Pick<CreditEventRow, 'seq' | 'id' | 'body'>>(
    'SELECT seq, id, body FROM credit_events WHERE seq > @after ORDER BY seq LIMIT @limit',
  );
  const confirm = db.prepare<{ id: string; now: string }>('UPDATE credit_events SET confirmed_at = @now WHERE id = @id AND confirmed_at IS NULL');
  const byId = db.prepare<[string], CreditEventRow>('SELECT * FROM credit_events WHERE id = ?');
  const forCredit = db.prepare<[string], CreditEventRow>('SELECT * FROM credit_events WHERE credit_id = ? ORDER BY seq');
  const countByState = db.prepare<[], { state: DeliveryState; n: number }>('SELECT state, COUNT(*) AS n FROM credit_events GROUP BY state');
  const summary = db.prepare<[], DeliverySummaryRow>(`SELECT
      (SELECT MIN(created_at) FROM credit_events WHERE state IN ('pending', 'delivering', 'failing', 'given_up')) AS oldest_undelivered_at,
      (SELECT MAX(delivered_at) FROM credit_events WHERE delivered_at IS NOT NULL) AS last_delivered_at,
      (SELECT last_error FROM credit_events WHERE state IN ('failing', 'given_up') ORDER BY last_attempt_at DESC LIMIT 1) AS last_error,
      (SELECT MIN(failing_since) FROM credit_events WHERE state IN ('failing', 'given_up')) AS oldest_failing_since`);
  const maxSeq = db.prepare<[], number>('SELECT COALESCE(MAX(seq), 0) FROM credit_events').pluck();

  return {
    /** Queues a new event, due at once. Runs inside the ledger entry's transaction, before the entry. */
    insert: (event: NewCreditEvent): void => {
      insert.run({ ...event, due_at: event.created_at });
    },
    /** Events whose attempt is due at `now` (including attempts whose lease ran out), oldest due first. */
    due: (now: string, limit: number): DueEvent[] => due.all({ now, limit }),
    /** Takes the lease of one due event; false when another dispatcher took it first. */
    lease: (change: { seq: number; lease_token: string; now: string; lease_until: string }): boolean => lease.run(change).changes === 1,
    /** Records a 2xx answer; false when the lease was lost (the feed or another attempt got there first). */
    markDelivered: (change: { seq: number; lease_token: string; now: string; last_status: number; studio_ref: string | null }): boolean =>
      delivered.run(change).changes === 1,
    markFailing: (change: AttemptFailure & { due_at: string }): boolean => failing.run(change).changes === 1,
    markGivenUp: (change: AttemptFailure): boolean => givenUp.run(change).changes === 1,
    /** Makes every failing or given-up event of a credit due now; the number of events. */
    retryCredit: (creditId: string, now: string): number => retryCredit.run({ credit_id: creditId, now }).changes,
    retryGivenUp: (now: string): number => retryGivenUp.run({ now }).changes,
    /** The feed's acknowledgement: every event up to `upTo` not yet delivered is delivered now; the number of events. */
    acknowledge: (upTo: number, now: string): number => acknowledge.run({ up_to: upTo, now }).changes,
    feedPage: (after: number, limit: number): Pick<CreditEventRow, 'seq' | 'id' | 'body'>[] => feedPage.all({ after, limit }),
    /** Sets confirmed_at the first time the studio's echo matches; false when it was confirmed already. */
    confirm: (id: string, now: string): boolean => confirm.run({ id, now }).changes === 1,
    byId: (id: string): CreditEventRow | undefined => byId.get(id),
    forCredit: (creditId: string): CreditEventRow[] => forCredit.all(creditId),
    /** Events by state; `pending` includes the attempts in flight. */
    counts: (): DeliveryCounts => {
      const counts: DeliveryCounts = { pending: 0, failing: 0, given_up: 0, delivered: 0 };
      for (const { state, n } of countByState.all()) counts[state === 'delivering' ? 'pending' : state] += n;
      return counts;
    },
    summary: (): DeliverySummaryRow => summary.get() as DeliverySummaryRow,
    maxSeq: (): number => maxSeq.get() ?? 0,
  };
}
export type CreditEventRepository = ReturnType<typeof createCreditEventRepository>;
