import Database from 'better-sqlite3';

/**
 * Ids the load is spread over, drawn from the work database before the run.
 * Many different rows rather than one hot row: a page cache that holds one
 * chat would flatter the figures. Deterministic, so two runs ask for the same rows.
 */
export interface Samples {
  chats: { id: string; customer_id: string; created_at: string }[];
  customers: { id: string; name: string }[];
  /** Runs of one chat each: what the credit dialog asks eligibility for. */
  eligibilitySets: string[][];
  /** Assets are listed per run. */
  generationsWithAssets: string[];
  /** The end of the seed's time span: date ranges are taken back from it. */
  anchorIso: string;
}

/** A small deterministic generator (mulberry32): the same picks on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` rows at random rowids: one index search each, whatever the table's size. */
function randomRows<Row>(db: Database.Database, table: string, columns: string, count: number, random: () => number, where = '1'): Row[] {
  const maxRowid = db.prepare<[], number>(`SELECT MAX(rowid) FROM ${table}`).pluck().get() ?? 0;
  const pick = db.prepare<[number], Row>(`SELECT ${columns} FROM ${table} WHERE rowid >= ? AND ${where} ORDER BY rowid LIMIT 1`);
  const rows: Row[] = [];
  for (let attempt = 0; rows.length < count && attempt < count * 4 && maxRowid > 0; attempt++) {
    const row = pick.get(1 + Math.floor(random() * maxRowid));
    if (row) rows.push(row);
  }
  return rows;
}

export function pickSamples(path: string, anchor: string): Samples {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const random = seededRandom(20261124);
    const chats = randomRows<Samples['chats'][number]>(db, 'chats', 'id, customer_id, created_at', 2000, random);
    const customers = randomRows<Samples['customers'][number]>(db, 'customers', 'id, name', 2000, random);
    const runsOfChat = db.prepare<[string], string>('SELECT id FROM generations WHERE chat_id = ? ORDER BY started_at LIMIT 5').pluck();
    const eligibilitySets = chats
      .slice(0, 500)
      .map((chat) => runsOfChat.all(chat.id))
      .filter((ids) => ids.length > 0);
    const generationsWithAssets = randomRows<{ id: string }>(db, 'generations', 'id', 500, random, 'asset_count > 0').map((row) => row.id);
    return { chats, customers, eligibilitySets, generationsWithAssets, anchorIso: `${anchor}T00:00:00.000Z` };
  } finally {
    db.close();
  }
}

/** Cycles through `items` for ever: the next sample for each request. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('no samples to cycle through');
  let index = 0;
  return () => items[index++ % items.length];
}
