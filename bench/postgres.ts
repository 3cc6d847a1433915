import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createPostgresBulkWriter } from '../db/bulk/postgresBulk.ts';
import { openPostgres } from '../db/postgres/pool.ts';
import { createDatabase, dropDatabase, startPrivateCluster, type RunningCluster } from '../scripts/postgresCluster.ts';
import { measureHistoryImport, postgresHistoryTarget, withCeilingRatio, type HistoryDestination } from './historyImport.ts';
import { repoRoot } from './paths.ts';
import { measurePostgresHttp, type PostgresHttpInput } from './postgresHttp.ts';
import { runScript } from './processes.ts';
import type { BenchRow } from './results.ts';

const CEILING_ENTRIES = 200_000;
const CEILING_CUSTOMERS = 1_000;
/**
 * Entries per transaction: the history import's chunk. Within one transaction PostgreSQL keeps
 * every version of a customer row it updated (no version can be pruned before the COMMIT), so
 * 200 entries of one customer in one transaction walk ever longer chains; see bench/findings.md.
 */
const CEILING_CHUNK = 20_000;
const number = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * A PostgreSQL for the run: with DATABASE_URL, that server (its role needs CREATEDB: the run makes
 * a database of its own there and drops it at the end); otherwise a private cluster with
 * PostgreSQL's default durability (fsync, synchronous commit), on loopback, stopped at the end.
 */
export async function startBenchPostgres(databaseUrl = process.env.DATABASE_URL): Promise<RunningCluster> {
  if (!databaseUrl) return startPrivateCluster({ durable: true });
  return { adminUrl: databaseUrl, stop: async () => {} };
}

/**
 * `npm run db:copy` of the run's work copy into an empty database of the cluster: the whole
 * console moved, every row through PostgreSQL's triggers, both verifiers run on the copy before
 * its COMMIT. Leaves the copy in `url` for the rows measured on PostgreSQL after it.
 */
export async function measureDbCopy(workPath: string, url: string): Promise<BenchRow> {
  const name = 'PostgreSQL: db:copy of the work copy';
  const source = new Database(workPath, { readonly: true, fileMustExist: true });
  const ledgerEntries = (source.prepare('SELECT COUNT(*) AS n FROM ledger_entries').get() as { n: number }).n;
  source.close();
  const outcome = await runScript(join(repoRoot, 'server', 'cli', 'dbCopy.ts'), ['--from', workPath, '--to', url], { LOG_LEVEL: 'warn' });
  if (outcome.code !== 0) return { name, checks: [], outcome: 'not measured', note: `db:copy failed: ${(outcome.stderr || outcome.stdout).slice(-300)}` };
  const seconds = Number(/into PostgreSQL in ([\d.]+) s/.exec(outcome.stdout)?.[1] ?? Number.NaN);
  return {
    name,
    checks: [],
    outcome: 'measured',
    value: ledgerEntries / seconds,
    unit: 'ledger rows/s',
    note: `${number(ledgerEntries)} ledger entries and every other table in ${seconds} s, verified on both sides (both verifiers and a row-by-row comparison included in the time)`,
  };
}

/**
 * The ledger table's own speed on PostgreSQL, as bench/ledgerCeiling.ts measures SQLite's:
 * `purchase` entries generated beforehand, loaded by COPY in one transaction, every trigger and
 * index in place. Written into the copied database after everything else.
 */
export async function measurePostgresCeiling(url: string, anchor: string): Promise<BenchRow> {
  const pool = openPostgres(url, { statementTimeoutMs: 0 });
  try {
    const customers = (await pool.query<{ id: string; balance: number }>('SELECT id, balance FROM customers ORDER BY id LIMIT $1', [CEILING_CUSTOMERS])).rows;
    const start = Date.parse(`${anchor}T00:00:00Z`) + 2 * 86_400_000;
    const rows = Array.from({ length: CEILING_ENTRIES }, (_, i) => {
      const customer = customers[i % customers.length];
      customer.balance += 1;
      const at = new Date(start + i * 1000).toISOString();
      return { id: `txn_bench_pg_ceiling_${i}`, customer_id: customer.id, kind: 'purchase', amount: 1, balance_after: customer.balance, created_at: at, recorded_at: at };
    });
    const bulk = await createPostgresBulkWriter(pool);
    const started = performance.now();
    try {
      const insert = bulk.table<(typeof rows)[number]>('ledger_entries', ['id', 'customer_id', 'kind', 'amount', 'balance_after', 'created_at', 'recorded_at']);
      for (let start = 0; start < rows.length; start += CEILING_CHUNK) await bulk.transaction(() => insert(rows.slice(start, start + CEILING_CHUNK)));
    } finally {
      await bulk.release();
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      name: 'PostgreSQL: ledger table insert ceiling (reference)',
      checks: [],
      outcome: 'measured',
      value: CEILING_ENTRIES / seconds,
      unit: 'ledger rows/s',
      note: `${number(CEILING_ENTRIES)} purchase entries for ${customers.length} customers by COPY, ${number(CEILING_CHUNK)} per transaction, every trigger and index in place`,
    };
  } finally {
    await pool.end();
  }
}

/** An empty database of the cluster, migrated by the import command itself; run as the cluster's owner, so the loader may ANALYZE. */
function postgresDestination(url: string): HistoryDestination {
  return {
    label: 'PostgreSQL: ',
    env: { DATABASE_URL: url },
    checks: postgresHistoryTarget,
    ledgerRows: async (prefix) => {
      const pool = openPostgres(url, { statementTimeoutMs: 0 });
      try {
        const counted = await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM ledger_entries WHERE starts_with(id, $1)', [prefix]);
        return Number(counted.rows[0].n);
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * The PostgreSQL rows of the run: a durable private cluster, the work copy moved into it, then
 * measured there — over HTTP on two instances (bench/postgresHttp.ts) when `http` is given, then
 * the table's ceiling; last, the history import into an empty database of the same cluster, its
 * rate beside that ceiling.
 */
export async function measurePostgres(
  workPath: string,
  anchor: string,
  log: (line: string) => void,
  http?: Omit<PostgresHttpInput, 'url' | 'anchor'>,
): Promise<BenchRow[]> {
  let cluster: RunningCluster;
  try {
    cluster = await startBenchPostgres();
  } catch (error) {
    return [{ name: 'PostgreSQL rows', checks: [], outcome: 'not available', note: (error as Error).message.split('\n')[0] }];
  }
  // Its own name, so that a run on DATABASE_URL's server never meets another's database.
  const name = `tokendesk_bench_${Date.now().toString(36)}`;
  const historyName = `${name}_history`;
  try {
    const url = await createDatabase(cluster.adminUrl, name);
    log('  PostgreSQL: db:copy of the work copy …');
    const rows = [await measureDbCopy(workPath, url)];
    if (rows[0].outcome === 'measured') {
      if (http) {
        log('  PostgreSQL: two instances of the compiled server …');
        rows.push(...(await measurePostgresHttp({ ...http, url, anchor })));
      }
      log('  PostgreSQL: ledger table insert ceiling …');
      rows.push(await measurePostgresCeiling(url, anchor));
    }
    log('  PostgreSQL: history import …');
    const historyUrl = await createDatabase(cluster.adminUrl, historyName);
    const historyRows = await measureHistoryImport(postgresDestination(historyUrl), anchor).catch((error: Error): BenchRow[] => [
      { name: 'PostgreSQL: history import (--history)', checks: postgresHistoryTarget, outcome: 'not measured', note: error.message.split('\n')[0] },
    ]);
    const ceiling = rows.find((row) => row.name.startsWith('PostgreSQL: ledger table insert ceiling'));
    if (ceiling) withCeilingRatio(historyRows, ceiling);
    rows.push(...historyRows);
    return rows;
  } finally {
    await dropDatabase(cluster.adminUrl, historyName).catch(() => undefined);
    await dropDatabase(cluster.adminUrl, name).catch(() => undefined);
    await cluster.stop();
  }
}
