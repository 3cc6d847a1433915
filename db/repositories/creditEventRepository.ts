import type { CreditEventType, DeliveryChannel, DeliveryState } from '../../shared/delivery.ts';
import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

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
 * Due at `@now` (including attempts whose lease ran out). A void waits until the studio has the
 * credit it reverses, so one credit never has two attempts at once (docs/integration.md, Order).
 */
const DUE = `e.due_at IS NOT NULL AND e.due_at <= @now AND e.state IN ${UNDELIVERED}
       AND (e.type = 'credit.applied' OR EXISTS (SELECT 1 FROM credit_events a
             WHERE a.credit_id = e.credit_id AND a.type = 'credit.applied' AND a.state = 'delivered'))`;

const LEASED = `state = 'delivering', lease_token = @lease_token, due_at = @lease_until, attempts = attempts + 1, last_attempt_at = @now`;

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
  due: `SELECT e.seq, e.id, e.credit_id, e.customer_id, e.type, e.body, e.failures, e.attempts
      FROM credit_events e
     WHERE ${DUE}
     ORDER BY e.due_at, e.seq LIMIT @limit`,
  lease: `UPDATE credit_events SET ${LEASED}
     WHERE seq = @seq AND state IN ${UNDELIVERED} AND due_at <= @now`,
  /**
   * PostgreSQL: several instances claim at once, so the due rows are locked as they are chosen and
   * rows another instance is claiming are skipped, not waited for; a row that instance has just
   * leased is re-checked against the conditions when it is locked, and is no longer due. RETURNING
   * gives the attempts made before this one, as `due` does.
   */
  claimSkipLocked: `UPDATE credit_events SET ${LEASED}
     WHERE seq IN (SELECT e.seq FROM credit_events e
                    WHERE ${DUE}
                    ORDER BY e.due_at, e.seq LIMIT @limit
                    FOR UPDATE OF e SKIP LOCKED)
     RETURNING seq, id, credit_id, customer_id, type, body, failures, attempts - 1 AS attempts`,
  delivered: `UPDATE credit_events
       SET state = 'delivered', delivered_at = @now, delivered_via = 'webhook', studio_ref = @studio_ref, last_status = @last_status,
           last_error = NULL, failing_since = NULL, due_at = NULL, lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`,
  failing: `UPDATE credit_events
       SET state = 'failing', failures = failures + 1, due_at = @due_at, last_status = @last_status, last_error = @last_error,
           failing_since = COALESCE(failing_since, @now), lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`,
  givenUp: `UPDATE credit_events
       SET state = 'given_up', failures = failures + 1, due_at = NULL, last_status = @last_status, last_error = @last_error,
           failing_since = COALESCE(failing_since, @now), lease_token = NULL
     WHERE seq = @seq AND state = 'delivering' AND lease_token = @lease_token`,
  // A given-up event starts the whole schedule again; a failing one keeps its place in it.
  retryCredit: `UPDATE credit_events
       SET failures = CASE state WHEN 'given_up' THEN 0 ELSE failures END, state = 'failing', due_at = @now
     WHERE credit_id = @credit_id AND state IN ('failing', 'given_up')`,
  retryGivenUp: `UPDATE credit_events SET failures = 0, state = 'failing', due_at = @now WHERE state = 'given_up'`,
  acknowledge: `UPDATE credit_events
       SET state = 'delivered', delivered_at = @now, delivered_via = 'feed', failing_since = NULL, due_at = NULL, lease_token = NULL
     WHERE state IN ('pending', 'delivering', 'failing', 'given_up') AND seq <= @up_to`,
  feedPage: 'SELECT seq, id, body FROM credit_events WHERE seq > @after ORDER BY seq LIMIT @limit',
  confirm: 'UPDATE credit_events SET confirmed_at = @now WHERE id = @id AND confirmed_at IS NULL',
  byId: 'SELECT * FROM credit_events WHERE id = ?',
  forCredit: 'SELECT * FROM credit_events WHERE credit_id = ? ORDER BY seq',
  countByState: 'SELECT state, COUNT(*) AS n FROM credit_events GROUP BY state',
  summary: `SELECT
      (SELECT MIN(created_at) FROM credit_events WHERE state IN ('pending', 'delivering', 'failing', 'given_up')) AS oldest_undelivered_at,
      (SELECT MAX(delivered_at) FROM credit_events WHERE delivered_at IS NOT NULL) AS last_delivered_at,
      (SELECT last_error FROM credit_events WHERE state IN ('failing', 'given_up') ORDER BY last_attempt_at DESC LIMIT 1) AS last_error,
      (SELECT MIN(failing_since) FROM credit_events WHERE state IN ('failing', 'given_up')) AS oldest_failing_since`,
};

/** A due event claimed for one attempt, under the lease token its outcome must name. */
export type ClaimedEvent = DueEvent & { lease_token: string };

export interface Claim {
  now: string;
  /** When the lease runs out and the event is due again (the attempt's timeout and a margin). */
  lease_until: string;
  limit: number;
  /** New for each claim: an outcome is recorded only under the token of the lease it ends. */
  lease_token: string;
}

/** Events by state; `pending` includes the attempts in flight. */
const countsOf = (rows: { state: DeliveryState; n: number }[]): DeliveryCounts => {
  const counts: DeliveryCounts = { pending: 0, failing: 0, given_up: 0, delivered: 0 };
  for (const { state, n } of rows) counts[state === 'delivering' ? 'pending' : state] += n;
  return counts;
};

/** The outbox through the storage seam (db/storage/types.ts). */
export const creditEventRepository = {
  /** Queues a new event, due at once. Runs inside the ledger entry's transaction, before the entry. */
  insert: async (tx: Transaction, event: NewCreditEvent): Promise<void> => {
    await tx.run(sql.insert, { ...event, due_at: event.created_at });
  },
  /**
   * Leases up to `limit` due events, oldest due first, each for one attempt. On SQLite the one
   * writer makes the read and the leases atomic; on PostgreSQL one statement locks what it claims
   * and skips what another instance is claiming, so no event is ever claimed by two at once.
   */
  claimDue: async (tx: Transaction, claim: Claim): Promise<ClaimedEvent[]> => {
    if (tx.engine === 'postgres') {
      const rows = await tx.all<DueEvent>(sql.claimSkipLocked, claim);
      // RETURNING keeps no order: the attempts go out oldest first all the same.
      return rows.sort((a, b) => a.seq - b.seq).map((row) => ({ ...row, lease_token: claim.lease_token }));
    }
    const claimed: ClaimedEvent[] = [];
    for (const event of await tx.all<DueEvent>(sql.due, { now: claim.now, limit: claim.limit })) {
      const lease = { seq: event.seq, lease_token: claim.lease_token, now: claim.now, lease_until: claim.lease_until };
      if ((await tx.run(sql.lease, lease)).changes === 1) claimed.push({ ...event, lease_token: claim.lease_token });
    }
    return claimed;
  },
  /** Records a 2xx answer; false when the lease was lost (the feed or another attempt got there first). */
  markDelivered: async (tx: Transaction, change: { seq: number; lease_token: string; now: string; last_status: number; studio_ref: string | null }): Promise<boolean> =>
    (await tx.run(sql.delivered, change)).changes === 1,
  markFailing: async (tx: Transaction, change: AttemptFailure & { due_at: string }): Promise<boolean> => (await tx.run(sql.failing, change)).changes === 1,
  markGivenUp: async (tx: Transaction, change: AttemptFailure): Promise<boolean> => (await tx.run(sql.givenUp, change)).changes === 1,
  /**
   * A credit's events, locked on PostgreSQL until the transaction ends: a retry audits the states
   * it changed, not states an outcome recorded meanwhile.
   */
  forCreditLocked: (tx: Transaction, creditId: string): Promise<CreditEventRow[]> =>
    tx.all({ sqlite: sql.forCredit, postgres: `${sql.forCredit} FOR UPDATE` }, [creditId]),
  /** Makes every failing or given-up event of a credit due now; the number of events. */
  retryCredit: async (tx: Transaction, creditId: string, now: string): Promise<number> =>
    (await tx.run(sql.retryCredit, { credit_id: creditId, now })).changes,
  retryGivenUp: async (tx: Transaction, now: string): Promise<number> => (await tx.run(sql.retryGivenUp, { now })).changes,
  /** The feed's acknowledgement: every event up to `upTo` not yet delivered is delivered now; the number of events. */
  acknowledge: async (tx: Transaction, upTo: number, now: string): Promise<number> => (await tx.run(sql.acknowledge, { up_to: upTo, now })).changes,
  feedPage: (q: Queryable, after: number, limit: number): Promise<Pick<CreditEventRow, 'seq' | 'id' | 'body'>[]> =>
    q.all(sql.feedPage, { after, limit }),
  /** Sets confirmed_at the first time the studio's echo matches; false when it was confirmed already. */
  confirm: async (tx: Transaction, id: string, now: string): Promise<boolean> => (await tx.run(sql.confirm, { id, now })).changes === 1,
  byId: (q: Queryable, id: string): Promise<CreditEventRow | undefined> => q.get(sql.byId, [id]),
  /** Events by state; `pending` includes the attempts in flight. */
  counts: async (q: Queryable): Promise<DeliveryCounts> => countsOf(await q.all(sql.countByState)),
  summary: async (q: Queryable): Promise<DeliverySummaryRow> => (await q.get<DeliverySummaryRow>(sql.summary)) as DeliverySummaryRow,
};

/**
 * The synchronous outbox, kept for what still posts ledger entries on better-sqlite3 (ledger.post)
 * and for ingestion's echo until they move onto the seam.
 */
export function createCreditEventRepository(db: Db) {
  const insert = db.prepare<NewCreditEvent & { due_at: string }>(sql.insert);
  const confirm = db.prepare<{ id: string; now: string }>(sql.confirm);
  const byId = db.prepare<[string], CreditEventRow>(sql.byId);

  return {
    /** Queues a new event, due at once. Runs inside the ledger entry's transaction, before the entry. */
    insert: (event: NewCreditEvent): void => {
      insert.run({ ...event, due_at: event.created_at });
    },
    /** Sets confirmed_at the first time the studio's echo matches; false when it was confirmed already. */
    confirm: (id: string, now: string): boolean => confirm.run({ id, now }).changes === 1,
    byId: (id: string): CreditEventRow | undefined => byId.get(id),
  };
}
