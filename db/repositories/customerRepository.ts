import type { Db } from '../connection.ts';
import type { Transaction } from '../storage/types.ts';

export interface CustomerRow {
  id: string;
  name: string;
  email: string;
  plan: string;
  time_zone: string | null;
  created_at: string;
  source_at: string;
  balance: number;
}

export type NewCustomer = Omit<CustomerRow, 'balance'>;

const sql = {
  insert: `INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
    VALUES (@id, @name, @email, @plan, @time_zone, @created_at, @source_at)`,
  byId: 'SELECT * FROM customers WHERE id = ?',
  byIdLocked: 'SELECT * FROM customers WHERE id = ? FOR UPDATE',
  lock: 'SELECT id FROM customers WHERE id = ? FOR UPDATE',
  anyCustomer: 'SELECT EXISTS (SELECT 1 FROM customers) AS present',
};

/** Customers through the storage seam (db/storage/types.ts). */
export const customerRepository = {
  insert: async (tx: Transaction, row: NewCustomer): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  /**
   * The customer a money change is about, its row locked on PostgreSQL until the transaction ends
   * (docs/postgres.md: the customer comes after the idempotency key and the credit, before the runs).
   */
  byIdForChange: (tx: Transaction, id: string): Promise<CustomerRow | undefined> =>
    tx.get({ sqlite: sql.byId, postgres: sql.byIdLocked }, [id]),
  /** `byIdForChange` when only the lock is wanted (nothing to do on SQLite). */
  lock: async (tx: Transaction, id: string): Promise<void> => {
    if (tx.engine === 'postgres') await tx.get(sql.lock, [id]);
  },
};

export function createCustomerRepository(db: Db) {
  const insert = db.prepare<NewCustomer>(sql.insert);
  const anyCustomer = db.prepare<[], { present: number }>(sql.anyCustomer);
  return {
    insert: (row: NewCustomer): void => {
      insert.run(row);
    },
    isEmpty: (): boolean => anyCustomer.get()?.present === 0,
  };
}
export type CustomerRepository = ReturnType<typeof createCustomerRepository>;
