import type { Queryable, Statement } from '../storage/types.ts';

export interface LookupHit {
  id: string;
  customer_id: string;
  chat_id: string | null;
}

/** One indexed point query per kind of id the lookup box accepts: SQLite's texts (exported for the query-plan test). */
export const lookupSql = {
  chat: 'SELECT id, customer_id, id AS chat_id FROM chats WHERE id = ?',
  customer: 'SELECT id, id AS customer_id, NULL AS chat_id FROM customers WHERE id = ?',
  generation: 'SELECT id, customer_id, chat_id FROM generations WHERE id = ?',
  transaction: 'SELECT id, customer_id, chat_id FROM ledger_entries WHERE id = ?',
  // E-mail is not unique in the studio's data: the newest account wins.
  email: `SELECT id, id AS customer_id, NULL AS chat_id FROM customers WHERE email = ? COLLATE NOCASE
    ORDER BY created_at DESC, id DESC LIMIT 1`,
} as const;

export type LookupKind = keyof typeof lookupSql;

/**
 * The statements on both engines. Only the e-mail differs: PostgreSQL's `customers_email` index is
 * on `lower(email)`, its stand-in for NOCASE (docs/postgres.md).
 */
export const lookupStatements: Record<LookupKind, Statement> = {
  ...lookupSql,
  email: {
    sqlite: lookupSql.email,
    postgres: `SELECT id, id AS customer_id, NULL AS chat_id FROM customers WHERE lower(email) = lower(?)
    ORDER BY created_at DESC, id DESC LIMIT 1`,
  },
};

/** The lookup box's point queries through the storage seam. */
export const lookupQueries = {
  find: (q: Queryable, kind: LookupKind, value: string): Promise<LookupHit | undefined> => q.get<LookupHit>(lookupStatements[kind], [value]),
};
