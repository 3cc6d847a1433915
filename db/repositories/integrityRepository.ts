import type { Db } from '../connection.ts';

export interface BalanceMismatch {
  customer_id: string;
  balance: number;
  ledger_sum: number;
}

export interface RunningEntry {
  seq: number;
  id: string;
  customer_id: string;
  amount: number;
  balance_after: number;
}

export interface RunMismatch {
  generation_id: string;
  tokens_charged: number;
  tokens_auto_refunded: number;
  tokens_credited: number;
  tokens_reserved: number;
  charged: number;
  refunded: number;
  credited: number;
  reserved: number;
}

export interface CreditMismatch {
  credit_id: string;
  status: string;
  amount: number;
  credited: number | null;
  voided: number | null;
  items: number | null;
}

export interface ReversalMismatch {
  id: string;
  kind: string;
  amount: number;
  reversed_kind: string | null;
  reversed_amount: number | null;
}

export interface DayTotalMismatch {
  staff_id: string;
  day: string;
  open_tokens: number | null;
  requested_tokens: number | null;
  open_sum: number;
  requested_sum: number;
}

/** Read-only checks behind `npm run ledger:verify`: each query returns the rows that break a rule. */
/** A credit ledger entry whose outbox event is missing or says something else (docs/integration.md). */
export interface CreditEventMismatch {
  entry_id: string;
  kind: string;
  amount: number;
  event_type: string | null;
  event_amount: number | null;
  body_amount: number | null;
  body_transaction_id: string | null;
}

/**
 * A mismatch of the running balance: the entry's balance_after against the
 * customer's entry before it (by seq) plus its amount.
 */
export interface RunningMismatch {
  id: string;
  customer_id: string;
  balance_after: number;
  expected: number;
}

/**
 * The checks of `npm run ledger:verify`, over the whole database, or, with
 * `afterSeq`, over what the ledger entries after that seq touch: their
 * customers' balances and running balances, their runs, credits, reversals and
 * credit events (the history import checks what it loaded this way).
 */
export function createIntegrityRepository(db: Db, afterSeq?: number) {
  const scoped = afterSeq !== undefined;
  /** `sql` restricted to the rows the entries after `afterSeq` touch; unchanged for the whole database. */
  const within = (sql: string, restriction: string): string => (scoped ? sql.replace('/*scope*/', restriction) : sql.replace('/*scope*/', ''));
  const params = scoped ? [{ after: afterSeq }] : [];
  const touched = (column: string): string => `(SELECT ${column} FROM ledger_entries WHERE seq > @after AND ${column} IS NOT NULL)`;

  const balances = db.prepare<unknown[], BalanceMismatch>(
    scoped
      ? `SELECT * FROM (SELECT c.id AS customer_id, c.balance,
            COALESCE((SELECT SUM(l.amount) FROM ledger_entries l WHERE l.customer_id = c.id), 0) AS ledger_sum
          FROM customers c WHERE c.id IN ${touched('customer_id')}) WHERE balance <> ledger_sum`
      : `SELECT c.id AS customer_id, c.balance, COALESCE(s.total, 0) AS ledger_sum
    FROM customers c LEFT JOIN (SELECT customer_id, SUM(amount) AS total FROM ledger_entries GROUP BY customer_id) s
      ON s.customer_id = c.id
    WHERE c.balance <> COALESCE(s.total, 0)`,
  );
  const entries = db.prepare<[], RunningEntry>(
    'SELECT seq, id, customer_id, amount, balance_after FROM ledger_entries ORDER BY seq',
  );
  // Set-based, for the scoped check: the entry before each one of the same customer, by seq.
  const runningMismatches = db.prepare<unknown[], RunningMismatch>(`SELECT id, customer_id, balance_after, expected FROM (
      SELECT seq, id, customer_id, balance_after,
        COALESCE(LAG(balance_after) OVER (PARTITION BY customer_id ORDER BY seq), 0) + amount AS expected
      FROM ledger_entries WHERE customer_id IN ${touched('customer_id')})
    WHERE seq > @after AND balance_after <> expected ORDER BY seq`);
  const entriesAfter = db.prepare<unknown[], number>('SELECT COUNT(*) FROM ledger_entries WHERE seq > @after').pluck();
  const runs = db.prepare<unknown[], RunMismatch>(within(`SELECT * FROM (
      SELECT g.id AS generation_id, g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved,
        COALESCE((SELECT -l.amount FROM ledger_entries l WHERE l.generation_id = g.id AND l.kind = 'charge'), 0) AS charged,
        COALESCE((SELECT l.amount FROM ledger_entries l WHERE l.generation_id = g.id AND l.kind = 'auto_refund'), 0) AS refunded,
        COALESCE((SELECT SUM(i.tokens) FROM credit_items i JOIN credits c ON c.id = i.credit_id
                   WHERE i.generation_id = g.id AND c.status = 'applied'), 0) AS credited,
        COALESCE((SELECT SUM(i.tokens) FROM credit_items i JOIN credits c ON c.id = i.credit_id
                   WHERE i.generation_id = g.id AND c.status = 'pending_approval'), 0) AS reserved
      FROM generations g /*scope*/)
    WHERE tokens_charged <> charged OR tokens_auto_refunded <> refunded OR tokens_credited <> credited
       OR tokens_reserved <> reserved OR refunded + credited > charged`, `WHERE g.id IN ${touched('generation_id')}`));
  const credits = db.prepare<unknown[], CreditMismatch>(within(`SELECT * FROM (
      SELECT c.id AS credit_id, c.status, c.amount,
        (SELECT l.amount FROM ledger_entries l WHERE l.credit_id = c.id AND l.kind = 'manual_credit') AS credited,
        (SELECT l.amount FROM ledger_entries l WHERE l.credit_id = c.id AND l.kind = 'credit_void') AS voided,
        (SELECT SUM(i.tokens) FROM credit_items i WHERE i.credit_id = c.id) AS items
      FROM credits c /*scope*/)
    WHERE (status IN ('applied', 'voided') AND credited IS NOT amount)
       OR (status IN ('pending_approval', 'rejected') AND credited IS NOT NULL)
       OR (status = 'voided' AND voided IS NOT -amount)
       OR (status <> 'voided' AND voided IS NOT NULL)
       OR (items IS NOT NULL AND items <> amount)`, `WHERE c.id IN ${touched('credit_id')}`));
  const reversals = db.prepare<unknown[], ReversalMismatch>(within(`SELECT r.id, r.kind, r.amount, o.kind AS reversed_kind, o.amount AS reversed_amount
    FROM ledger_entries r LEFT JOIN ledger_entries o ON o.id = r.reverses_id
    WHERE r.reverses_id IS NOT NULL /*scope*/
      AND (o.id IS NULL OR o.amount <> -r.amount
           OR (r.kind = 'auto_refund' AND o.kind <> 'charge')
           OR (r.kind = 'credit_void' AND o.kind <> 'manual_credit'))`, 'AND r.seq > @after'));

  const dayTotals = db.prepare<[], DayTotalMismatch>(`SELECT k.staff_id, k.day, d.open_tokens, d.requested_tokens,
      COALESCE(k.open_sum, 0) AS open_sum, COALESCE(k.requested_sum, 0) AS requested_sum
    FROM (SELECT requested_by AS staff_id, substr(created_at, 1, 10) AS day,
            SUM(CASE WHEN status IN ('pending_approval', 'applied') THEN amount ELSE 0 END) AS open_sum,
            SUM(CASE WHEN status <> 'rejected' THEN amount ELSE 0 END) AS requested_sum
          FROM credits GROUP BY 1, 2) k
    LEFT JOIN credit_day_totals d ON d.staff_id = k.staff_id AND d.day = k.day
    WHERE COALESCE(d.open_tokens, 0) <> k.open_sum OR COALESCE(d.requested_tokens, 0) <> k.requested_sum`);

  const creditEvents = db.prepare<unknown[], CreditEventMismatch>(within(`SELECT l.id AS entry_id, l.kind, l.amount, e.type AS event_type,
      e.amount AS event_amount, json_extract(e.body, '$.data.amount') AS body_amount,
      json_extract(e.body, '$.data.transaction_id') AS body_transaction_id
    FROM ledger_entries l LEFT JOIN credit_events e ON e.id = l.id
    WHERE l.kind IN ('manual_credit', 'credit_void') /*scope*/
      AND (e.id IS NULL OR e.amount <> l.amount OR e.credit_id IS NOT l.credit_id OR e.customer_id <> l.customer_id
           OR e.type <> CASE l.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END
           OR json_extract(e.body, '$.data.amount') IS NOT l.amount OR json_extract(e.body, '$.data.transaction_id') IS NOT l.id
           OR json_extract(e.body, '$.type') IS NOT e.type)`, 'AND l.seq > @after'));

  return {
    /** Credit entries without their credit event, or whose event's body disagrees with them. */
    creditEventMismatches: (): CreditEventMismatch[] => creditEvents.all(...params),
    dayTotalMismatches: (): DayTotalMismatch[] => dayTotals.all(),
    balanceMismatches: (): BalanceMismatch[] => balances.all(...params),
    /** Every entry in posting order, streamed: the running balance is checked in one pass (whole database). */
    entriesInOrder: (): IterableIterator<RunningEntry> => entries.iterate(),
    /** The entries after `afterSeq` whose balance_after does not follow their customer's entry before (scoped). */
    runningMismatches: (): RunningMismatch[] => runningMismatches.all(...params),
    /** How many entries come after `afterSeq`. */
    entriesAfter: (): number => entriesAfter.get(...params) ?? 0,
    runMismatches: (): RunMismatch[] => runs.all(...params),
    creditMismatches: (): CreditMismatch[] => credits.all(...params),
    reversalMismatches: (): ReversalMismatch[] => reversals.all(...params),
  };
}
export type IntegrityRepository = ReturnType<typeof createIntegrityRepository>;
