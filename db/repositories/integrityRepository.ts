import type { Db } from '../connection.ts';
import { statementFor, type Queryable, type Snapshot, type Statement } from '../storage/types.ts';

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

/** The entries after a ledger seq (the history import's) and what they touch; undefined: the whole database. */
export type LedgerScope = number | undefined;

/** The rows a column of the ledger entries after `@after` name: what a scoped check looks at. */
const touched = (column: string): string => `(SELECT ${column} FROM ledger_entries WHERE seq > @after AND ${column} IS NOT NULL)`;

/** A check over the whole database and the same check over what the entries after `@after` touch. */
interface Scoped {
  whole: Statement;
  after: Statement;
}

const mapStatement = (statement: Statement, map: (text: string) => string): Statement =>
  typeof statement === 'string' ? map(statement) : { sqlite: map(statement.sqlite), postgres: map(statement.postgres) };

/** `statement` as is for the whole database, and with `restriction` in place of its scope comment. */
const scoped = (statement: Statement, restriction: string): Scoped => ({
  whole: mapStatement(statement, (text) => text.replace('/*scope*/', '')),
  after: mapStatement(statement, (text) => text.replace('/*scope*/', restriction)),
});

/**
 * SQLite's `a IS NOT b` compares NULLs as values: PostgreSQL spells it `IS DISTINCT FROM`. The
 * derived tables are named (`AS k`), which PostgreSQL requires and SQLite allows.
 */
const creditsSql = (isNot: string): string => `SELECT * FROM (
      SELECT c.id AS credit_id, c.status, c.amount,
        (SELECT l.amount FROM ledger_entries l WHERE l.credit_id = c.id AND l.kind = 'manual_credit') AS credited,
        (SELECT l.amount FROM ledger_entries l WHERE l.credit_id = c.id AND l.kind = 'credit_void') AS voided,
        (SELECT SUM(i.tokens) FROM credit_items i WHERE i.credit_id = c.id) AS items
      FROM credits c /*scope*/) AS k
    WHERE (status IN ('applied', 'voided') AND credited ${isNot} amount)
       OR (status IN ('pending_approval', 'rejected') AND credited IS NOT NULL)
       OR (status = 'voided' AND voided ${isNot} -amount)
       OR (status <> 'voided' AND voided IS NOT NULL)
       OR (items IS NOT NULL AND items <> amount)`;

/**
 * The credit events' body is JSON text on both engines: SQLite reads it with json_extract;
 * PostgreSQL reads it as jsonb and compares jsonb values, so that a number and a string that
 * look alike differ there too, as they do in SQLite.
 */
const creditEventsSql = {
  sqlite: `SELECT l.id AS entry_id, l.kind, l.amount, e.type AS event_type,
      e.amount AS event_amount, json_extract(e.body, '$.data.amount') AS body_amount,
      json_extract(e.body, '$.data.transaction_id') AS body_transaction_id
    FROM ledger_entries l LEFT JOIN credit_events e ON e.id = l.id
    WHERE l.kind IN ('manual_credit', 'credit_void') /*scope*/
      AND (e.id IS NULL OR e.amount <> l.amount OR e.credit_id IS NOT l.credit_id OR e.customer_id <> l.customer_id
           OR e.type <> CASE l.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END
           OR json_extract(e.body, '$.data.amount') IS NOT l.amount OR json_extract(e.body, '$.data.transaction_id') IS NOT l.id
           OR json_extract(e.body, '$.type') IS NOT e.type)`,
  postgres: `SELECT l.id AS entry_id, l.kind, l.amount, e.type AS event_type,
      e.amount AS event_amount, e.body::jsonb #> '{data,amount}' AS body_amount,
      e.body::jsonb #> '{data,transaction_id}' AS body_transaction_id
    FROM ledger_entries l LEFT JOIN credit_events e ON e.id = l.id
    WHERE l.kind IN ('manual_credit', 'credit_void') /*scope*/
      AND (e.id IS NULL OR e.amount <> l.amount OR e.credit_id IS DISTINCT FROM l.credit_id OR e.customer_id <> l.customer_id
           OR e.type <> CASE l.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END
           OR e.body::jsonb #> '{data,amount}' IS DISTINCT FROM to_jsonb(l.amount)
           OR e.body::jsonb #> '{data,transaction_id}' IS DISTINCT FROM to_jsonb(l.id)
           OR e.body::jsonb -> 'type' IS DISTINCT FROM to_jsonb(e.type))`,
};

const sql = {
  balances: {
    whole: `SELECT c.id AS customer_id, c.balance, COALESCE(s.total, 0) AS ledger_sum
    FROM customers c LEFT JOIN (SELECT customer_id, SUM(amount) AS total FROM ledger_entries GROUP BY customer_id) s
      ON s.customer_id = c.id
    WHERE c.balance <> COALESCE(s.total, 0)`,
    after: `SELECT * FROM (SELECT c.id AS customer_id, c.balance,
            COALESCE((SELECT SUM(l.amount) FROM ledger_entries l WHERE l.customer_id = c.id), 0) AS ledger_sum
          FROM customers c WHERE c.id IN ${touched('customer_id')}) AS b WHERE balance <> ledger_sum`,
  } satisfies Scoped,
  entries: 'SELECT seq, id, customer_id, amount, balance_after FROM ledger_entries ORDER BY seq',
  // Set-based, for the scoped check: the entry before each one of the same customer, by seq.
  runningMismatches: `SELECT id, customer_id, balance_after, expected FROM (
      SELECT seq, id, customer_id, balance_after,
        COALESCE(LAG(balance_after) OVER (PARTITION BY customer_id ORDER BY seq), 0) + amount AS expected
      FROM ledger_entries WHERE customer_id IN ${touched('customer_id')}) AS r
    WHERE seq > @after AND balance_after <> expected ORDER BY seq`,
  entriesAfter: 'SELECT COUNT(*) AS n FROM ledger_entries WHERE seq > @after',
  runs: scoped(`SELECT * FROM (
      SELECT g.id AS generation_id, g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved,
        COALESCE((SELECT -l.amount FROM ledger_entries l WHERE l.generation_id = g.id AND l.kind = 'charge'), 0) AS charged,
        COALESCE((SELECT l.amount FROM ledger_entries l WHERE l.generation_id = g.id AND l.kind = 'auto_refund'), 0) AS refunded,
        COALESCE((SELECT SUM(i.tokens) FROM credit_items i JOIN credits c ON c.id = i.credit_id
                   WHERE i.generation_id = g.id AND c.status = 'applied'), 0) AS credited,
        COALESCE((SELECT SUM(i.tokens) FROM credit_items i JOIN credits c ON c.id = i.credit_id
                   WHERE i.generation_id = g.id AND c.status = 'pending_approval'), 0) AS reserved
      FROM generations g /*scope*/) AS r
    WHERE tokens_charged <> charged OR tokens_auto_refunded <> refunded OR tokens_credited <> credited
       OR tokens_reserved <> reserved OR refunded + credited > charged`, `WHERE g.id IN ${touched('generation_id')}`),
  credits: scoped({ sqlite: creditsSql('IS NOT'), postgres: creditsSql('IS DISTINCT FROM') }, `WHERE c.id IN ${touched('credit_id')}`),
  reversals: scoped(`SELECT r.id, r.kind, r.amount, o.kind AS reversed_kind, o.amount AS reversed_amount
    FROM ledger_entries r LEFT JOIN ledger_entries o ON o.id = r.reverses_id
    WHERE r.reverses_id IS NOT NULL /*scope*/
      AND (o.id IS NULL OR o.amount <> -r.amount
           OR (r.kind = 'auto_refund' AND o.kind <> 'charge')
           OR (r.kind = 'credit_void' AND o.kind <> 'manual_credit'))`, 'AND r.seq > @after'),
  dayTotals: `SELECT k.staff_id, k.day, d.open_tokens, d.requested_tokens,
      COALESCE(k.open_sum, 0) AS open_sum, COALESCE(k.requested_sum, 0) AS requested_sum
    FROM (SELECT requested_by AS staff_id, substr(created_at, 1, 10) AS day,
            SUM(CASE WHEN status IN ('pending_approval', 'applied') THEN amount ELSE 0 END) AS open_sum,
            SUM(CASE WHEN status <> 'rejected' THEN amount ELSE 0 END) AS requested_sum
          FROM credits GROUP BY 1, 2) k
    LEFT JOIN credit_day_totals d ON d.staff_id = k.staff_id AND d.day = k.day
    WHERE COALESCE(d.open_tokens, 0) <> k.open_sum OR COALESCE(d.requested_tokens, 0) <> k.requested_sum`,
  creditEvents: scoped(creditEventsSql, 'AND l.seq > @after'),
};

/** The statement of a scoped check, and its values: `@after` only when scoped. */
const inScope = (statement: Scoped, after: LedgerScope): [Statement, { after: number }?] =>
  after === undefined ? [statement.whole] : [statement.after, { after }];

/**
 * The checks of `npm run ledger:verify` through the storage seam (db/storage/types.ts), over the
 * whole database or, with a scope, over what the ledger entries after that seq touch: their
 * customers' balances and running balances, their runs, credits, reversals and credit events (the
 * history import checks what it loaded this way). Each returns the rows that break a rule.
 */
export const integrityRepository = {
  /** Credit entries without their credit event, or whose event's body disagrees with them. */
  creditEventMismatches: (q: Queryable, scope?: LedgerScope): Promise<CreditEventMismatch[]> => q.all(...inScope(sql.creditEvents, scope)),
  /** Over the whole database in either scope, as ledger:verify has always checked them. */
  dayTotalMismatches: (q: Queryable): Promise<DayTotalMismatch[]> => q.all(sql.dayTotals),
  balanceMismatches: (q: Queryable, scope?: LedgerScope): Promise<BalanceMismatch[]> => q.all(...inScope(sql.balances, scope)),
  /** Every entry in posting order, streamed: the running balance is checked in one pass (whole database). */
  entriesInOrder: (snapshot: Snapshot): AsyncIterable<RunningEntry> => snapshot.stream(sql.entries),
  /** The entries after `afterSeq` whose balance_after does not follow their customer's entry before (scoped). */
  runningMismatches: (q: Queryable, afterSeq: number): Promise<RunningMismatch[]> => q.all(sql.runningMismatches, { after: afterSeq }),
  /** How many entries come after `afterSeq`. */
  entriesAfter: async (q: Queryable, afterSeq: number): Promise<number> =>
    (await q.get<{ n: number }>(sql.entriesAfter, { after: afterSeq }))?.n ?? 0,
  runMismatches: (q: Queryable, scope?: LedgerScope): Promise<RunMismatch[]> => q.all(...inScope(sql.runs, scope)),
  creditMismatches: (q: Queryable, scope?: LedgerScope): Promise<CreditMismatch[]> => q.all(...inScope(sql.credits, scope)),
  reversalMismatches: (q: Queryable, scope?: LedgerScope): Promise<ReversalMismatch[]> => q.all(...inScope(sql.reversals, scope)),
};

/**
 * The same checks on a better-sqlite3 connection, for what still calls them synchronously (the
 * SQLite history import's closing check, and tests of other parts).
 */
export function createIntegrityRepository(db: Db, afterSeq?: number) {
  const prepare = <Row>(statement: Statement) => db.prepare<unknown[], Row>(statementFor(statement, 'sqlite'));
  const params = afterSeq === undefined ? [] : [{ after: afterSeq }];
  const pick = (statement: Scoped): Statement => inScope(statement, afterSeq)[0];

  const balances = prepare<BalanceMismatch>(pick(sql.balances));
  const entries = prepare<RunningEntry>(sql.entries);
  const runningMismatches = prepare<RunningMismatch>(sql.runningMismatches);
  const entriesAfter = prepare<{ n: number }>(sql.entriesAfter);
  const runs = prepare<RunMismatch>(pick(sql.runs));
  const credits = prepare<CreditMismatch>(pick(sql.credits));
  const reversals = prepare<ReversalMismatch>(pick(sql.reversals));
  const dayTotals = prepare<DayTotalMismatch>(sql.dayTotals);
  const creditEvents = prepare<CreditEventMismatch>(pick(sql.creditEvents));

  return {
    creditEventMismatches: (): CreditEventMismatch[] => creditEvents.all(...params),
    dayTotalMismatches: (): DayTotalMismatch[] => dayTotals.all(),
    balanceMismatches: (): BalanceMismatch[] => balances.all(...params),
    entriesInOrder: (): IterableIterator<RunningEntry> => entries.iterate(),
    runningMismatches: (): RunningMismatch[] => runningMismatches.all(...params),
    entriesAfter: (): number => entriesAfter.get(...params)?.n ?? 0,
    runMismatches: (): RunMismatch[] => runs.all(...params),
    creditMismatches: (): CreditMismatch[] => credits.all(...params),
    reversalMismatches: (): ReversalMismatch[] => reversals.all(...params),
  };
}
export type IntegrityRepository = ReturnType<typeof createIntegrityRepository>;
