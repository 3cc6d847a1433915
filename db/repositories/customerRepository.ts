import type { Db } from '../connection.ts';

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

export function createCustomerRepository(db: Db) {
  const insert = db.prepare<NewCustomer>(`INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
    VALUES (@id, @name, @email, @plan, @time_zone, @created_at, @source_at)`);
  const byId = db.prepare<[string], CustomerRow>('SELECT * FROM customers WHERE id = ?');
  const any = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM customers)').pluck();
  return {
    insert: (row: NewCustomer): void => {
      insert.run(row);
    },
    byId: (id: string): CustomerRow | undefined => byId.get(id),
    isEmpty: (): boolean => any.get() === 0,
  };
}
export type CustomerRepository = ReturnType<typeof createCustomerRepository>;
