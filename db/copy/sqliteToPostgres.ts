import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../connection.ts';

/**
 * Copies a console's whole SQLite database into a migrated, empty PostgreSQL database, inside the
 * caller's transaction on `target` (docs/postgres.md, "Moving with db:copy"). Every row goes in
 * through PostgreSQL's own triggers: the ledger is replayed entry by entry in its order, so each
 * balance, charge, refund and credit is checked again by the target as it was by the source, and
 * what the triggers derive (balances, a run's charged/refunded/credited/reserved tokens, asset
 * counts) is derived anew rather than copied. Then every table is compared with the source, row
 * by row: the copy is refused unless both hold the same rows.
 */
export async function copySqliteToPostgres(source: Db, target: pg.ClientBase, progress: (line: string) => void = () => {}): Promise<CopyReport> {
  // The day totals' triggers (deferred by migration 009) fire as each grant enters or changes, as
  // they did before: the totals they build are replaced by the source's below, before the
  // comparison and the COMMIT, and nothing may add to them after that.
  await target.query('SET CONSTRAINTS credits_day_total_insert, credits_day_total_rejected, credits_day_total_voided IMMEDIATE');
  const tables = await tablePlan(source, target);
  const counts: Record<string, number> = {};
  const copied = (table: string, rows: number): void => {
    counts[table] = (counts[table] ?? 0) + rows;
  };

  for (const table of tables.plain) copied(table, await copyRows(source, target, table, tables.columns[table]));
  await copyPolicy(source, target);
  copied('credit_policy', 1);
  copied('customers', await copyRows(source, target, 'customers', tables.columns.customers, { balance: 0 }));
  copied('chats', await copyRows(source, target, 'chats', tables.columns.chats));
  copied('generations', await copyRows(source, target, 'generations', tables.columns.generations, derivedRunColumns));
  copied('assets', await copyRows(source, target, 'assets', tables.columns.assets));
  // A grant enters as it was when its ledger entry was written; voids and links follow the ledger.
  copied('credits', await copyRows(source, target, 'credits', tables.columns.credits, grantAsFirstWritten));
  // A pending grant's items reserve tokens of runs the ledger has not charged yet: they wait for it.
  const pendingItems = `credit_id IN (SELECT id FROM credits WHERE status = 'pending_approval')`;
  copied('credit_items', await copyRows(source, target, 'credit_items', tables.columns.credit_items, {}, `NOT (${pendingItems})`));
  copied('credit_events', await copyRows(source, target, 'credit_events', tables.columns.credit_events));
  copied('ledger_entries', await replayLedger(source, target, tables.columns.ledger_entries, progress));
  copied('credit_items', await copyRows(source, target, 'credit_items', tables.columns.credit_items, {}, pendingItems));
  await linkGrants(source, target);
  copied('audit_events', await copyRows(source, target, 'audit_events', tables.columns.audit_events));
  // The triggers counted every grant as it entered (voided and rejected ones differently): the
  // source's totals are the truth, checked row by row below like every table.
  await target.query('DELETE FROM credit_day_totals');
  copied('credit_day_totals', await copyRows(source, target, 'credit_day_totals', tables.columns.credit_day_totals));
  for (const table of ['ledger_entries', 'credit_events']) {
    await target.query(`SELECT setval(pg_get_serial_sequence('${table}', 'seq'), GREATEST(MAX(seq), 1)) FROM ${table}`);
  }

  return { counts, differences: await differencesFromSource(source, target) };
}

/** The tables whose rows differ between the SQLite source and its PostgreSQL copy, each said in a line. Runs inside a transaction on `target` (it reads through cursors). */
export async function differencesFromSource(source: Db, target: pg.ClientBase): Promise<string[]> {
  const tables = await tablePlan(source, target);
  const differences: string[] = [];
  for (const table of tables.all) {
    const [a, b] = [digestSqlite(source, table, tables.columns[table]), await digestPostgres(target, table, tables.columns[table])];
    if (a.rows !== b.rows) differences.push(`${table}: ${a.rows} rows in the source, ${b.rows} in the copy`);
    else if (a.hash !== b.hash) differences.push(`${table}: the same number of rows (${a.rows}), not the same rows`);
  }
  return differences;
}

export interface CopyReport {
  /** Rows written per table. */
  counts: Record<string, number>;
  /** Tables whose rows differ between source and copy; empty when the copy is faithful. */
  differences: string[];
}

/** The tables copied as they are, in an order their foreign keys accept; the rest have a step of their own. */
const stepped = new Set([
  'credit_policy', 'customers', 'chats', 'generations', 'assets', 'credits', 'credit_items', 'credit_events', 'ledger_entries',
  'audit_events', 'credit_day_totals',
]);
const plainOrder = ['staff'];
const notCopied = new Set(['schema_migrations']);

/** A run's columns the ledger's and assets' triggers derive. */
const derivedRunColumns = {
  tokens_charged: 0, tokens_auto_refunded: 0, tokens_credited: 0, tokens_reserved: 0, charge_id: null, auto_refund_id: null, asset_count: 0,
};
const grantAsFirstWritten = {
  status: (row: Row) => (row.status === 'voided' ? 'applied' : row.status),
  voided_by: null, voided_at: null, void_reason: null, transaction_id: null, void_transaction_id: null,
};

type Row = Record<string, unknown>;
type Override = unknown | ((row: Row) => unknown);

interface TablePlan {
  all: string[];
  plain: string[];
  columns: Record<string, string[]>;
}

async function tablePlan(source: Db, target: pg.ClientBase): Promise<TablePlan> {
  const sourceTables = (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((t) => t.name).filter((name) => !notCopied.has(name));
  const targetColumns = await target.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const columns: Record<string, string[]> = {};
  for (const table of sourceTables) {
    const inSource = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const inTarget = new Set(targetColumns.rows.filter((c) => c.table_name === table).map((c) => c.column_name));
    const missing = inSource.filter((c) => !inTarget.has(c));
    if (inTarget.size === 0) throw new CopyRefused(`the PostgreSQL database has no table ${table}: are both at the same migration?`);
    if (missing.length > 0) throw new CopyRefused(`the PostgreSQL table ${table} lacks ${missing.join(', ')}: are both at the same migration?`);
    columns[table] = inSource;
  }
  const rest = sourceTables.filter((t) => !stepped.has(t) && !plainOrder.includes(t));
  return { all: sourceTables, plain: [...plainOrder, ...rest], columns };
}

/** The primary key's columns (a table without one is ordered by all its columns). */
function keyOf(source: Db, table: string, columns: string[]): string[] {
  const pk = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[])
    .filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  return pk.length > 0 ? pk : columns;
}

// PostgreSQL takes at most 65,535 parameters per statement.
const rowsPerInsert = (columns: string[]): number => Math.max(1, Math.min(500, Math.floor(60_000 / columns.length)));

async function insertRows(target: pg.ClientBase, table: string, columns: string[], rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${columns.map((c) => {
    values.push(row[c]);
    return `$${values.length}`;
  }).join(', ')})`);
  await target.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

/** Copies a table in its key order (the order rows were written, for seq-keyed tables), a batch per statement. */
async function copyRows(
  source: Db, target: pg.ClientBase, table: string, columns: string[], overrides: Record<string, Override> = {}, where = 'TRUE',
): Promise<number> {
  const order = table === 'ingest_held' ? 'rowid' : keyOf(source, table, columns).join(', ');
  const batch: Row[] = [];
  let count = 0;
  const size = rowsPerInsert(columns);
  for (const raw of source.prepare(`SELECT ${columns.join(', ')} FROM ${table} WHERE ${where} ORDER BY ${order}`).iterate() as IterableIterator<Row>) {
    const row = { ...raw };
    for (const [column, value] of Object.entries(overrides)) row[column] = typeof value === 'function' ? (value as (r: Row) => unknown)(raw) : value;
    batch.push(row);
    count += 1;
    if (batch.length === size) await insertRows(target, table, columns, batch.splice(0));
  }
  await insertRows(target, table, columns, batch);
  return count;
}

async function copyPolicy(source: Db, target: pg.ClientBase): Promise<void> {
  const policy = source.prepare('SELECT * FROM credit_policy WHERE id = 1').get() as Row | undefined;
  if (!policy) throw new CopyRefused('the SQLite database has no credit policy row: is it migrated?');
  const columns = Object.keys(policy).filter((c) => c !== 'id');
  await target.query(`UPDATE credit_policy SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = 1`, columns.map((c) => policy[c]));
}

/**
 * The ledger in its order, many entries per statement (PostgreSQL's guard applies each entry as it
 * checks it, docs/postgres.md). A grant is voided just before its void entry, as the console did.
 */
async function replayLedger(source: Db, target: pg.ClientBase, columns: string[], progress: (line: string) => void): Promise<number> {
  const voided = source.prepare<[string], Row>('SELECT voided_by, voided_at, void_reason FROM credits WHERE id = ?');
  const batch: Row[] = [];
  const size = rowsPerInsert(columns);
  let count = 0;
  for (const entry of source.prepare(`SELECT ${columns.join(', ')} FROM ledger_entries ORDER BY seq`).iterate() as IterableIterator<Row>) {
    if (entry.kind === 'credit_void') {
      await insertRows(target, 'ledger_entries', columns, batch.splice(0));
      const credit = voided.get(String(entry.credit_id));
      await target.query(`UPDATE credits SET status = 'voided', voided_by = $2, voided_at = $3, void_reason = $4 WHERE id = $1`,
        [entry.credit_id, credit?.voided_by ?? null, credit?.voided_at ?? null, credit?.void_reason ?? null]);
    }
    batch.push(entry);
    count += 1;
    if (batch.length === size) await insertRows(target, 'ledger_entries', columns, batch.splice(0));
    if (count % 100_000 === 0) progress(`ledger: ${count.toLocaleString('en-US')} entries`);
  }
  await insertRows(target, 'ledger_entries', columns, batch);
  return count;
}

/** Each grant's links to its ledger entries, once the entries exist. */
async function linkGrants(source: Db, target: pg.ClientBase): Promise<void> {
  const linked = source.prepare('SELECT id, transaction_id, void_transaction_id FROM credits WHERE transaction_id IS NOT NULL ORDER BY id')
    .iterate() as IterableIterator<{ id: string; transaction_id: string; void_transaction_id: string | null }>;
  for (const credit of linked) {
    await target.query('UPDATE credits SET transaction_id = $2, void_transaction_id = $3 WHERE id = $1', [credit.id, credit.transaction_id, credit.void_transaction_id]);
  }
}

/** One line per row, the same on both engines: values as JSON, integers as integers. */
const rowLine = (row: unknown[]): string => JSON.stringify(row);

function digestSqlite(source: Db, table: string, columns: string[]): { rows: number; hash: string } {
  const hash = createHash('sha256');
  let rows = 0;
  const order = keyOf(source, table, columns).join(', ');
  for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`).raw().iterate() as IterableIterator<unknown[]>) {
    hash.update(rowLine(row)).update('\n');
    rows += 1;
  }
  return { rows, hash: hash.digest('hex') };
}

async function digestPostgres(target: pg.ClientBase, table: string, columns: string[]): Promise<{ rows: number; hash: string }> {
  const hash = createHash('sha256');
  let rows = 0;
  const key = await target.query<{ column_name: string }>(
    `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`, [table],
  );
  const order = key.rows.length > 0 ? key.rows.map((r) => r.column_name).join(', ') : columns.join(', ');
  await target.query(`DECLARE copy_digest NO SCROLL CURSOR FOR SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`);
  try {
    for (;;) {
      const batch = await target.query({ text: 'FETCH 5000 FROM copy_digest', rowMode: 'array' });
      for (const row of batch.rows as unknown[][]) {
        hash.update(rowLine(row)).update('\n');
        rows += 1;
      }
      if (batch.rows.length < 5000) break;
    }
  } finally {
    await target.query('CLOSE copy_digest');
  }
  return { rows, hash: hash.digest('hex') };
}

/** The copy cannot start or cannot be trusted: nothing is committed. */
export class CopyRefused extends Error {}
