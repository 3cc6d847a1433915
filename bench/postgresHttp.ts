import { openPostgres } from '../db/postgres/pool.ts';
import { httpSignIn } from '../tests/server/support/serverProcess.ts';
import { GRANTS_NEEDED, measureCreditGrants, type CreditableRun } from './creditGrants.ts';
import { measureRead, type BareReference } from './httpBench.ts';
import { measureIngestion } from './ingestion.ts';
import { startListening, type ListeningProcess } from './processes.ts';
import { readScenarios, type ReadScenario } from './readScenarios.ts';
import type { BenchRow, Check } from './results.ts';
import type { Samples } from './samples.ts';
import type { BenchStaff } from './workDatabase.ts';

/** Targets on PostgreSQL (docs/postgres.md, README "Running several instances"): a round trip per query costs what SQLite's call does not. */
const lookupTarget: Check[] = [{ metric: 'p99Ms', atMost: 5 }];
const ledgerPageTarget: Check[] = [{ metric: 'p50Ms', atMost: 2 }];
const listTarget: Check[] = [{ metric: 'p99Ms', atMost: 50 }];
const GRANTS_PER_SECOND = 300;
const INGESTED_EVENTS_PER_SECOND = 5000;
const LEAD_LIMIT = 5000;

/** The one-connection reads of the SQLite rows, held to PostgreSQL's targets. */
function postgresScenarios(samples: Samples): ReadScenario[] {
  return readScenarios(samples)
    .filter((scenario) => scenario.connections === 1)
    .map((scenario) => {
      const checks = scenario.name.startsWith('lookup')
        ? lookupTarget
        : scenario.name.startsWith('ledger page')
          ? ledgerPageTarget
          : scenario.name.startsWith('list:')
            ? listTarget
            : [];
      return { ...scenario, name: `PostgreSQL: ${scenario.name}`, checks };
    });
}

interface Instances {
  url: string;
  pool: ReturnType<typeof openPostgres>;
  apps: ListeningProcess[];
}

/** Runs the SQLite rows left creditable (the SQLite grants came first), spread over the table. */
async function creditableRunsOn(instances: Instances): Promise<CreditableRun[]> {
  const { rows } = await instances.pool.query<CreditableRun>(
    `SELECT id, customer_id, tokens_charged AS tokens FROM generations
      WHERE abs(hashtext(id)) % 7 = 0 AND status = 'succeeded' AND tokens_charged BETWEEN 1 AND $1
        AND tokens_auto_refunded = 0 AND tokens_credited = 0 AND tokens_reserved = 0
      LIMIT $2`,
    [LEAD_LIMIT, GRANTS_NEEDED],
  );
  return rows;
}

/** Every 201 left one applied grant and one manual_credit entry, nothing more (read after both instances stopped). */
async function grantsAppliedOn(pool: Instances['pool'], keyPrefix: string, created: number): Promise<{ ok: boolean; note: string }> {
  const like = `${keyPrefix}%`;
  const { rows } = await pool.query<{ applied: number; entries: number }>(
    `SELECT (SELECT COUNT(*) FROM credits WHERE idempotency_key LIKE $1 AND status = 'applied') AS applied,
            (SELECT COUNT(*) FROM ledger_entries l JOIN credits c ON c.id = l.credit_id
              WHERE c.idempotency_key LIKE $1 AND l.kind = 'manual_credit') AS entries`,
    [like],
  );
  const { applied, entries } = rows[0];
  const ok = applied === created && entries === created;
  return { ok, note: `${created.toLocaleString('en-US')} answered 201; ${applied.toLocaleString('en-US')} grants applied, ${entries.toLocaleString('en-US')} manual_credit entries` };
}

export interface PostgresHttpInput {
  /** The copied database (measureDbCopy's target). */
  url: string;
  /** The compiled server, dist/server/main.mjs. */
  serverMain: string;
  samples: Samples;
  lead: BenchStaff;
  /** The bare Express figures of the SQLite rows, for the × bare column. */
  bare: BareReference;
  attempt: (name: string, measure: () => Promise<BenchRow>) => Promise<BenchRow>;
  anchor: string;
}

/**
 * The HTTP rows on PostgreSQL: two instances of the compiled server on the copied database, the
 * reads on the first, grants from 20 clients split over both (exactly once each, checked in the
 * database afterwards), ingestion on the first.
 */
export async function measurePostgresHttp(input: PostgresHttpInput): Promise<BenchRow[]> {
  const pool = openPostgres(input.url);
  const apps: ListeningProcess[] = [];
  try {
    const env = { DATABASE_URL: input.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'off' };
    for (let i = 0; i < 2; i++) apps.push(await startListening(input.serverMain, env));
    const instances: Instances = { url: input.url, pool, apps };
    const session = await httpSignIn(apps[0].url, input.lead.email, input.lead.password);
    const rows: BenchRow[] = [];
    for (const scenario of postgresScenarios(input.samples)) {
      rows.push(await input.attempt(scenario.name, () => measureRead(scenario, apps[0], session, input.bare)));
    }
    const runs = await creditableRunsOn(instances);
    let grants: Awaited<ReturnType<typeof measureCreditGrants>> | undefined;
    const grantsName = 'PostgreSQL: credit grants, 20 clients over two instances';
    rows.push(
      await input.attempt(grantsName, async () => {
        grants = await measureCreditGrants({ name: grantsName, apps, atLeast: GRANTS_PER_SECOND }, session, runs, input.bare);
        return grants.row;
      }),
    );
    rows.push(
      await input.attempt('PostgreSQL: ingestion', () =>
        measureIngestion(
          {
            name: 'PostgreSQL: ingestion, signed batches of 1000 events',
            app: apps[0],
            storedWithPrefix: async (prefix) =>
              (await pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries WHERE id >= $1 AND id < $2', [prefix, `${prefix}\u{10FFFF}`])).rows[0].n,
            checks: [{ metric: 'value', atLeast: INGESTED_EVENTS_PER_SECOND }],
          },
          input.anchor,
        ),
      ),
    );
    await Promise.all(apps.splice(0).map((app) => app.stop()));
    if (grants && grants.row.outcome === 'measured') {
      const check = await grantsAppliedOn(pool, grants.keyPrefix, grants.created);
      grants.row.correct = check.ok;
      grants.row.note = `${grants.row.note ?? ''}; ${check.ok ? 'exactly once each' : 'NOT exactly once'}: ${check.note}`;
    }
    return rows;
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await pool.end();
  }
}
