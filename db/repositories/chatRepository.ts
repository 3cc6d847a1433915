import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export interface ChatRow {
  id: string;
  customer_id: string;
  title: string | null;
  created_at: string;
}

const sql = {
  insert: 'INSERT INTO chats (id, customer_id, title, created_at) VALUES (@id, @customer_id, @title, @created_at)',
  byId: 'SELECT * FROM chats WHERE id = ?',
};

/** Chats through the storage seam (db/storage/types.ts). */
export const chatRepository = {
  insert: async (tx: Transaction, row: ChatRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  byId: (q: Queryable, id: string): Promise<ChatRow | undefined> => q.get(sql.byId, [id]),
};

export function createChatRepository(db: Db) {
  const insert = db.prepare<ChatRow>(sql.insert);
  const byId = db.prepare<[string], ChatRow>(sql.byId);
  return {
    insert: (row: ChatRow): void => {
      insert.run(row);
    },
    byId: (id: string): ChatRow | undefined => byId.get(id),
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
