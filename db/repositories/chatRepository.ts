import type { Db } from '../connection.ts';

export interface ChatRow {
  id: string;
  customer_id: string;
  title: string | null;
  created_at: string;
}

export function createChatRepository(db: Db) {
  const insert = db.prepare<ChatRow>(
    'INSERT INTO chats (id, customer_id, title, created_at) VALUES (@id, @customer_id, @title, @created_at)',
  );
  const byId = db.prepare<[string], ChatRow>('SELECT * FROM chats WHERE id = ?');
  return {
    insert: (row: ChatRow): void => {
      insert.run(row);
    },
    byId: (id: string): ChatRow | undefined => byId.get(id),
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
