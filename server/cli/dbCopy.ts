import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { openDatabase, type Db } from '../../db/connection.ts';
import { copySqliteToPostgres, CopyRefused } from '../../db/copy/sqliteToPostgres.ts';
import { listMigrations } from '../../db/migrate.ts';
import { migratePostgres } from '../../db/postgres/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import type { AuditRow } from '../../db/repositories/auditRepository.ts';
import { snapshotOf } from '../../db/storage/postgresStorage.ts';
import { verifyChainStream } from '../audit/auditChain.ts';
import { verifyAuditChain } from '../audit/chainVerifier.ts';
import { checkLedger, verifyLedgerAfter } from '../ledger/ledgerCheck.ts';
import { fail } from './cliContext.ts';

const usage = 'Usage: npm run db:copy -- --from <sqlite file> --to <postgres url>';
const number = (n: number): string => n.toLocaleString('en-US');
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function parseFlags(): { from: string; to: string } {
  try {
    const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
    if (!values.from || !values.to) fail(usage);
    if (!/^postgres(ql)?:\/\//.test(values.to)) fail(`--to must be a postgres:// URL\n${usage}`);
    if (!existsSync(values.from)) fail(`--from: ${values.from} does not exist`);
    return { from: values.from, to: values.to };
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
}

/** Both verifiers and the schema version on the source: nothing is copied from a database that does not pass them. */
async function checkSource(source: Db): Promise<void> {
  const versions = (source.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
  const latest = listMigrations().map((m) => m.version);
  if (versions.join() !== latest.join()) {
    fail(`The source is at migration ${versions.at(-1) ?? 'none'}, this console at ${latest.at(-1)}: run \`npm run migrate\` with DATABASE_PATH set to it first.`);
  }
  const ledger = checkLedger(source);
  if (!ledger.ok) fail(`The source's ledger does not verify; nothing copied:\n${ledger.problems.map((p) => `  - ${p}`).join('\n')}`);
  const audit = await verifyAuditChain(source);
  if (!audit.ok) fail(`The source's audit chain does not verify at event ${audit.first_bad_id} (${audit.problem}); nothing copied.`);
  say(`Source verified: ${number(ledger.entries)} ledger entries, ${number(audit.checked)} audit events.`);
}

/** The copy must go into a database that holds no console data yet. */
async function checkTargetEmpty(client: pg.PoolClient): Promise<void> {
  for (const table of ['staff', 'customers', 'ledger_entries', 'audit_events', 'credits']) {
    const { rowCount } = await client.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (rowCount) fail(`The PostgreSQL database already holds ${table}: db:copy fills only an empty one.`);
  }
}

/** Both verifiers and the row-by-row comparison on the copy, inside its transaction: the problems found. */
async function checkCopy(client: pg.PoolClient, differences: string[]): Promise<string[]> {
  const problems = [...differences];
  const view = snapshotOf(client);
  const ledger = await verifyLedgerAfter(view, 0);
  problems.push(...ledger.problems.map((p) => `ledger: ${p}`));
  const audit = await verifyChainStream(view.stream<AuditRow>('SELECT * FROM audit_events ORDER BY seq'));
  if (!audit.ok) problems.push(`audit chain: event ${audit.first_bad_id}: ${audit.problem}`);
  return problems;
}

const flags = parseFlags();
const started = performance.now();
const source = openDatabase(flags.from, { readonly: true });
const pool = openPostgres(flags.to, { applicationName: 'token-desk db:copy', statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 });
try {
  await checkSource(source);
  await migratePostgres(pool);
  const client = await pool.connect();
  try {
    await checkTargetEmpty(client);
    await client.query('BEGIN');
    const report = await copySqliteToPostgres(source, client, say);
    const problems = await checkCopy(client, report.differences);
    if (problems.length > 0) {
      await client.query('ROLLBACK');
      fail(`The copy does not match its source; nothing committed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    await client.query('COMMIT');
    const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${number(n)}`).join(', ');
    process.stdout.write(
      `Copied ${flags.from} into PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s: ${counts}.\n` +
        'Every table matches its source row for row; ledger:verify and audit:verify pass on the copy.\n',
    );
  } finally {
    client.release();
  }
} catch (error) {
  fail(error instanceof CopyRefused ? error.message : `db:copy failed, nothing committed: ${(error as Error).message}`);
} finally {
  source.close();
  await pool.end();
}
