import { filterOn, listStatements, type ListSpec } from './listStatements.ts';

export interface ChatListRow {
  id: string;
  customer_id: string;
  customer_name: string;
  title: string | null;
  created_at: string;
  generation_count: number;
  last_run_at: string | null;
}

export const chatListSpec: ListSpec = {
  // Both figures are read from the generations_chat index (chat_id, started_at) alone.
  select: `SELECT ch.id, ch.customer_id, cu.name AS customer_name, ch.title, ch.created_at,
      (SELECT COUNT(*) FROM generations g WHERE g.chat_id = ch.id) AS generation_count,
      (SELECT MAX(g.started_at) FROM generations g WHERE g.chat_id = ch.id) AS last_run_at
    FROM chats ch JOIN customers cu ON cu.id = ch.customer_id`,
  from: 'chats ch',
  key: 'ch.id',
  idColumn: 'ch.id',
  filters: {
    id: filterOn.key('ch.id', 0),
    customer_id: filterOn.key('ch.customer_id', 1, true),
    created_at_gte: filterOn.time('ch.created_at', 'gte'),
    created_at_lte: filterOn.time('ch.created_at', 'lte'),
  },
  sorts: {
    id: { expr: 'ch.id' },
    created_at: { expr: 'ch.created_at' },
    title: { expr: 'ch.title', nullable: true, narrowedOnly: true },
  },
  defaultSort: { field: 'created_at', order: 'DESC' },
  // 1.75 million chats in the large seed: counting them all takes ~50 ms, and a page near the
  // end reads its way there row by row (~0.7 s). Narrowed to a customer, the total is exact.
  totals: 'capped',
};

/** Lists of chats through the storage seam. */
export const chatQueries = listStatements<ChatListRow>(chatListSpec);
