import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export const creditStatuses = ['pending_approval', 'applied', 'rejected', 'voided'] as const;
export type CreditStatus = (typeof creditStatuses)[number];

export interface CreditRow {
  id: string;
  customer_id: string;
  amount: number;
  reason: string;
  ticket_ref: string;
  expected: string;
  received: string;
  note: string | null;
  customer_asset_urls: string;
  evidence: string;
  requested_by: string;
  status: CreditStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  voided_by: string | null;
  voided_at: string | null;
  void_reason: string | null;
  transaction_id: string | null;
  void_transaction_id: string | null;
  idempotency_key: string;
  created_at: string;
}

export interface CreditItemRow {
  credit_id: string;
  generation_id: string;
  tokens: number;
}

export interface CreditViewRow extends CreditRow {
  customer_name: string | null;
  requested_by_name: string | null;
  decided_by_name: string | null;
  voided_by_name: string | null;
  balance_after: number | null;
  /** JSON array of the grant's items: `[{generation_id, tokens}]`. */
  items_json: string;
  /** What the anomaly rules look at (see server/credits/anomalies.ts). */
  requested_by_role: string | null;
  approval_threshold: number;
  agent_day_tokens: number;
  agent_prior_30d_tokens: number;
  customer_prior_credits: number;
  /** `<run id>|<auto-refund entry id>|<other credit id>` of the first run refunded another way, or null. */
  overlap: string | null;
  /** JSON array of the grant's credit events (delivery columns), in the order they were written. */
  delivery_json: string;
}

/** What both engines' grant views share: the names of the people and customer a grant names, its entry's balance. */
const creditViewJoins = `
  FROM credits c
  LEFT JOIN customers cu ON cu.id = c.customer_id
  LEFT JOIN staff rq ON rq.id = c.requested_by
  LEFT JOIN staff dc ON dc.id = c.decided_by
  LEFT JOIN staff vd ON vd.id = c.voided_by
  LEFT JOIN ledger_entries l ON l.id = c.transaction_id`;

const creditViewCommonColumns = `c.*, cu.name AS customer_name, rq.name AS requested_by_name, dc.name AS decided_by_name,
    vd.name AS voided_by_name, l.balance_after AS balance_after,
    rq.role AS requested_by_role,
    (SELECT p.approval_threshold FROM credit_policy p WHERE p.id = 1) AS approval_threshold,
    (SELECT COALESCE(SUM(d.requested_tokens), 0) FROM credit_day_totals d
      WHERE d.staff_id = c.requested_by AND d.day = substr(c.created_at, 1, 10)) AS agent_day_tokens`;

/**
 * The first of a grant's runs that was auto-refunded or is covered by another open grant, as
 * `run|auto refund|other grant`. On PostgreSQL the other grants are looked up per run through a
 * LATERAL join (SQLite has none), each one's status by its key: written as EXISTS over a join, the
 * planner hashed every open grant whenever its statistics lagged behind a growing credits table
 * (4 ms for each grant read back, more with every grant, inside the request that made it).
 */
const overlapColumn = {
  sqlite: `(SELECT g.id || '|' || COALESCE(g.auto_refund_id, '') || '|' || COALESCE(
         (SELECT i2.credit_id FROM credit_items i2 JOIN credits c2 ON c2.id = i2.credit_id
           WHERE i2.generation_id = g.id AND i2.credit_id <> c.id AND c2.status IN ('applied', 'pending_approval') LIMIT 1), '')
       FROM credit_items i JOIN generations g ON g.id = i.generation_id
      WHERE i.credit_id = c.id AND (g.auto_refund_id IS NOT NULL OR EXISTS (
         SELECT 1 FROM credit_items i2 JOIN credits c2 ON c2.id = i2.credit_id
          WHERE i2.generation_id = g.id AND i2.credit_id <> c.id AND c2.status IN ('applied', 'pending_approval')))
      LIMIT 1) AS overlap`,
  postgres: `(SELECT g.id || '|' || COALESCE(g.auto_refund_id, '') || '|' || COALESCE(other.credit_id, '')
       FROM credit_items i JOIN generations g ON g.id = i.generation_id
       LEFT JOIN LATERAL (SELECT i2.credit_id FROM credit_items i2
           WHERE i2.generation_id = g.id AND i2.credit_id <> c.id
             AND (SELECT c2.status FROM credits c2 WHERE c2.id = i2.credit_id) IN ('applied', 'pending_approval') LIMIT 1) other ON true
      WHERE i.credit_id = c.id AND (g.auto_refund_id IS NOT NULL OR other.credit_id IS NOT NULL)
      LIMIT 1) AS overlap`,
};

/**
 * A grant with the names of the people and customer it names, and its ledger entry's balance.
 * The dialects differ in JSON aggregation and date arithmetic; both give `[]` for a grant with no
 * items or events (SQLite's json_group_array over no rows; PostgreSQL's json_agg is NULL then), and
 * both compute the 30-day bounds as ISO texts, compared as text with the stored times.
 */
const creditViewSqlite = `SELECT ${creditViewCommonColumns}, ${overlapColumn.sqlite},
    (SELECT json_group_array(json_object('generation_id', i.generation_id, 'tokens', i.tokens))
       FROM credit_items i WHERE i.credit_id = c.id) AS items_json,
    (SELECT COALESCE(SUM(d.requested_tokens), 0) FROM credit_day_totals d
      WHERE d.staff_id = c.requested_by AND d.day >= date(c.created_at, '-30 days') AND d.day < substr(c.created_at, 1, 10)) AS agent_prior_30d_tokens,
    (SELECT COUNT(*) FROM credits x
      WHERE x.customer_id = c.customer_id AND x.id <> c.id AND x.status <> 'rejected'
        AND x.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', c.created_at, '-30 days') AND x.created_at <= c.created_at) AS customer_prior_credits,
    (SELECT json_group_array(json_object('id', e.id, 'type', e.type, 'state', e.state, 'attempts', e.attempts,
         'last_status', e.last_status, 'last_error', e.last_error, 'due_at', e.due_at, 'delivered_at', e.delivered_at,
         'delivered_via', e.delivered_via, 'studio_ref', e.studio_ref, 'confirmed_at', e.confirmed_at, 'failing_since', e.failing_since))
       FROM (SELECT * FROM credit_events WHERE credit_id = c.id ORDER BY seq) e) AS delivery_json${creditViewJoins}`;

export const creditViewSql = {
  sqlite: creditViewSqlite,
  // date(t, '-30 days') is the UTC day 30 days before t's; strftime(…, t, '-30 days') the same instant
  // 30 days earlier, in the ISO form the times are stored in (milliseconds, Z).
  postgres: `SELECT ${creditViewCommonColumns}, ${overlapColumn.postgres},
    (SELECT COALESCE(json_agg(json_build_object('generation_id', i.generation_id, 'tokens', i.tokens))::text, '[]')
       FROM credit_items i WHERE i.credit_id = c.id) AS items_json,
    (SELECT COALESCE(SUM(d.requested_tokens), 0) FROM credit_day_totals d
      WHERE d.staff_id = c.requested_by AND d.day >= to_char(substr(c.created_at, 1, 10)::date - 30, 'YYYY-MM-DD')
        AND d.day < substr(c.created_at, 1, 10)) AS agent_prior_30d_tokens,
    (SELECT COUNT(*) FROM credits x
      WHERE x.customer_id = c.customer_id AND x.id <> c.id AND x.status <> 'rejected'
        AND x.created_at >= to_char((c.created_at::timestamptz AT TIME ZONE 'UTC') - interval '30 days', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        AND x.created_at <= c.created_at) AS customer_prior_credits,
    (SELECT COALESCE(json_agg(json_build_object('id', e.id, 'type', e.type, 'state', e.state, 'attempts', e.attempts,
         'last_status', e.last_status, 'last_error', e.last_error, 'due_at', e.due_at, 'delivered_at', e.delivered_at,
         'delivered_via', e.delivered_via, 'studio_ref', e.studio_ref, 'confirmed_at', e.confirmed_at, 'failing_since', e.failing_since)
         ORDER BY e.seq)::text, '[]')
       FROM credit_events e WHERE e.credit_id = c.id) AS delivery_json${creditViewJoins}`,
} as const;

/** `creditViewSql` followed by `tail` (a WHERE clause, an ORDER BY…), on both engines. */
export const creditViewWith = (tail: string): { sqlite: string; postgres: string } => ({
  sqlite: `${creditViewSql.sqlite} ${tail}`,
  postgres: `${creditViewSql.postgres} ${tail}`,
});

const sql = {
  viewById: creditViewWith('WHERE c.id = ?'),
  viewInPeriod: creditViewWith(`WHERE c.created_at >= @from AND c.created_at <= @to AND c.status <> 'rejected' ORDER BY c.created_at DESC`),
  byId: 'SELECT * FROM credits WHERE id = ?',
  byIdLocked: 'SELECT * FROM credits WHERE id = ? FOR UPDATE',
  // PostgreSQL: the day-total changes of this transaction's grants, now (migration 009 defers them to the COMMIT).
  countInDayTotals: 'SET CONSTRAINTS credits_day_total_insert, credits_day_total_rejected, credits_day_total_voided IMMEDIATE',
  insert: `INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received,
      note, customer_asset_urls, evidence, requested_by, status, decided_by, decided_at, decision_reason, voided_by, voided_at,
      void_reason, transaction_id, void_transaction_id, idempotency_key, created_at)
    VALUES (@id, @customer_id, @amount, @reason, @ticket_ref, @expected, @received, @note, @customer_asset_urls, @evidence,
      @requested_by, @status, @decided_by, @decided_at, @decision_reason, @voided_by, @voided_at, @void_reason,
      @transaction_id, @void_transaction_id, @idempotency_key, @created_at)`,
  insertItem: 'INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (@credit_id, @generation_id, @tokens)',
  setApplied: `UPDATE credits SET transaction_id = @transaction_id WHERE id = @id AND status = 'applied'`,
  items: 'SELECT * FROM credit_items WHERE credit_id = ? ORDER BY generation_id',
  decide: `UPDATE credits SET status = @status, decided_by = @decided_by, decided_at = @decided_at, decision_reason = @decision_reason
     WHERE id = @id AND status = 'pending_approval'`,
  markVoided: `UPDATE credits SET status = 'voided', voided_by = @voided_by, voided_at = @voided_at, void_reason = @void_reason
     WHERE id = @id AND status = 'applied'`,
  setVoidTransaction: `UPDATE credits SET void_transaction_id = @void_transaction_id WHERE id = @id AND status = 'voided'`,
  activeForGeneration: `SELECT c.* FROM credits c
    JOIN credit_items i ON i.credit_id = c.id
    WHERE i.generation_id = ? AND c.status IN ('pending_approval', 'applied') ORDER BY c.created_at, c.id`,
};

/** Credits through the storage seam (db/storage/types.ts). */
export const creditRepository = {
  byId: (q: Queryable, id: string): Promise<CreditRow | undefined> => q.get(sql.byId, [id]),
  /**
   * Writes the day-total changes of the grants this transaction inserted, rejected or voided now,
   * in the order they happened, rather than at the COMMIT (PostgreSQL's migration 009; SQLite's
   * triggers write each at once). Called where the lock order puts the requester's day total:
   * before the audit chain.
   */
  countInDayTotals: async (tx: Transaction): Promise<void> => {
    if (tx.engine === 'postgres') await tx.run(sql.countInDayTotals);
  },
  /**
   * The grant a decision or a void is about, its row locked on PostgreSQL until the transaction
   * ends: a second decision on it waits, then reads the status the first one left.
   */
  byIdForChange: (tx: Transaction, id: string): Promise<CreditRow | undefined> => tx.get({ sqlite: sql.byId, postgres: sql.byIdLocked }, [id]),
  /** Inserts a grant with its items; a pending grant's items reserve their tokens (trigger). */
  insert: async (tx: Transaction, row: CreditRow, creditItems: readonly Omit<CreditItemRow, 'credit_id'>[]): Promise<void> => {
    await tx.run(sql.insert, row);
    for (const item of creditItems) await tx.run(sql.insertItem, { credit_id: row.id, ...item });
  },
  linkTransaction: async (tx: Transaction, id: string, transactionId: string): Promise<void> => {
    await tx.run(sql.setApplied, { id, transaction_id: transactionId });
  },
  items: (q: Queryable, creditId: string): Promise<CreditItemRow[]> => q.all(sql.items, [creditId]),
  viewById: (q: Queryable, id: string): Promise<CreditViewRow | undefined> => q.get(sql.viewById, [id]),
  /** Every grant requested in the period but rejected ones, newest first. */
  viewInPeriod: (q: Queryable, from: string, to: string): Promise<CreditViewRow[]> => q.all(sql.viewInPeriod, { from, to }),
  /** Moves a pending grant to its decision; false when it was no longer pending. */
  decide: async (tx: Transaction, change: Pick<CreditRow, 'id' | 'status' | 'decided_by' | 'decided_at' | 'decision_reason'>): Promise<boolean> =>
    (await tx.run(sql.decide, change)).changes === 1,
  /** Marks an applied grant voided; false when it was no longer applied. */
  markVoided: async (tx: Transaction, change: Pick<CreditRow, 'id' | 'voided_by' | 'voided_at' | 'void_reason'>): Promise<boolean> =>
    (await tx.run(sql.markVoided, change)).changes === 1,
  linkVoidTransaction: async (tx: Transaction, id: string, transactionId: string): Promise<void> => {
    await tx.run(sql.setVoidTransaction, { id, void_transaction_id: transactionId });
  },
  /** The grants still pending or applied that cover a run, locked on PostgreSQL until the transaction ends. */
  activeForGenerationLocked: (tx: Transaction, generationId: string): Promise<CreditRow[]> =>
    tx.all({ sqlite: sql.activeForGeneration, postgres: `${sql.activeForGeneration} FOR UPDATE OF c` }, [generationId]),
};

export function createCreditRepository(db: Db) {
  const view = db.prepare<[string], CreditViewRow>(sql.viewById.sqlite);
  const insert = db.prepare<CreditRow>(sql.insert);
  const insertItem = db.prepare<CreditItemRow>(sql.insertItem);
  const decide = db.prepare<Pick<CreditRow, 'id' | 'status' | 'decided_by' | 'decided_at' | 'decision_reason'>>(sql.decide);
  const setApplied = db.prepare<{ id: string; transaction_id: string }>(sql.setApplied);
  const markVoided = db.prepare<Pick<CreditRow, 'id' | 'voided_by' | 'voided_at' | 'void_reason'>>(sql.markVoided);
  const setVoidTransaction = db.prepare<{ id: string; void_transaction_id: string }>(sql.setVoidTransaction);
  const byId = db.prepare<[string], CreditRow>(sql.byId);
  const activeForGeneration = db.prepare<[string], CreditRow>(sql.activeForGeneration);
  const items = db.prepare<[string], CreditItemRow>(sql.items);

  return {
    /** Inserts a grant with its items; a pending grant's items reserve their tokens (trigger). */
    insert: (row: CreditRow, creditItems: Omit<CreditItemRow, 'credit_id'>[]): void => {
      insert.run(row);
      for (const item of creditItems) insertItem.run({ credit_id: row.id, ...item });
    },
    /** Moves a pending grant to applied or rejected; false when it was no longer pending. */
    decide: (change: Pick<CreditRow, 'id' | 'status' | 'decided_by' | 'decided_at' | 'decision_reason'>): boolean =>
      decide.run(change).changes === 1,
    linkTransaction: (id: string, transactionId: string): void => {
      setApplied.run({ id, transaction_id: transactionId });
    },
    /** Marks an applied grant voided; false when it was not applied. */
    markVoided: (change: Pick<CreditRow, 'id' | 'voided_by' | 'voided_at' | 'void_reason'>): boolean =>
      markVoided.run(change).changes === 1,
    linkVoidTransaction: (id: string, transactionId: string): void => {
      setVoidTransaction.run({ id, void_transaction_id: transactionId });
    },
    byId: (id: string): CreditRow | undefined => byId.get(id),
    viewById: (id: string): CreditViewRow | undefined => view.get(id),
    items: (creditId: string): CreditItemRow[] => items.all(creditId),
    /** Pending or applied grants that cover a run: what a late auto-refund must undo. */
    activeForGeneration: (generationId: string): CreditRow[] => activeForGeneration.all(generationId),
  };
}
export type CreditRepository = ReturnType<typeof createCreditRepository>;
