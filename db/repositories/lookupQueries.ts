import type { Statement } from 'better-sqlite3';
import type { Db } from '../connection.ts';

export interface LookupHit {
  id: string;
  customer_id: string;
  chat_id: string | null;
}

/** One indexed point query per kind of id the lookup box accepts (exported for the query-plan test). */
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

export function createLookupQueries(db: Db) {
  const prepare = (sql: string): Statement<[string], LookupHit> => db.prepare<[string], LookupHit>(sql);
  const statements: Record<LookupKind, Statement<[string], LookupHit>> = {
    chat: prepare(lookupSql.chat),
    customer: prepare(lookupSql.customer),
    generation: prepare(lookupSql.generation),
    transaction: prepare(lookupSql.transaction),
    email: prepare(lookupSql.email),
  };
  return {
    find: (kind: LookupKind, value: string): LookupHit | undefined => statements[kind].get(value),
  };
}
export type LookupQueries = ReturnType<typeof createLookupQueries>;
