import { join } from 'node:path';
import { buildServer } from '../scripts/buildServer.ts';
import { httpSignIn } from '../tests/server/support/serverProcess.ts';
import { checkWorkChain, measureAuditVerification } from './auditVerification.ts';
import { measureLedgerCeiling } from './ledgerCeiling.ts';
import { checkGrantsApplied, creditableRuns, GRANTS_NEEDED, measureCreditGrants } from './creditGrants.ts';
import { measureChatReview } from './chatReview.ts';
import { measureFirstScreen } from './firstScreen.ts';
import { BareReference, measureRead } from './httpBench.ts';
import { historyTarget, measureHistoryImport, sqliteDestination, withCeilingRatio } from './historyImport.ts';
import { importTarget, ledgerRowsWithPrefix, measureImport, measureIngestion } from './ingestion.ts';
import { readOptions, usage, UsageError, type BenchOptions } from './options.ts';
import { measurePostgres } from './postgres.ts';
import { repoRoot } from './paths.ts';
import { startListening, type ListeningProcess } from './processes.ts';
import { readScenarios } from './readScenarios.ts';
import { consoleTable, currentLoad, writeBenchmarks } from './report.ts';
import { cells, type BenchRow } from './results.ts';
import { pickSamples, type Samples } from './samples.ts';
import { ensureSeed, removeWorkCopy, workCopy, type CachedSeed } from './seedCache.ts';
import { measureSpaBundle } from './spaBundle.ts';
import { prepareWorkDatabase, type BenchStaff } from './workDatabase.ts';

/** The concurrency levels the bench uses, so the bare route is measured at each before the app is. */
const CONCURRENCY_LEVELS = [1, 20, 50];

const log = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

/** Runs one measurement; an exception becomes a "not measured" row instead of ending the run. */
async function attempt(name: string, measure: () => Promise<BenchRow> | BenchRow, checks: BenchRow['checks'] = []): Promise<BenchRow> {
  try {
    const row = await measure();
    log(`  ${cells(row).filter(Boolean).join('  ')}`);
    return row;
  } catch (error) {
    log(`  ${name}: not measured: ${(error as Error).message}`);
    return { name, checks, outcome: 'not measured', note: (error as Error).message.split('\n')[0] };
  }
}

function seedRow(seed: CachedSeed): BenchRow {
  const name = `seed (npm run seed), ${seed.meta.scale}`;
  const { ledgerRowsPerSecond, seconds, builtBy, counts } = seed.meta;
  const unit = 'ledger rows/s';
  if (ledgerRowsPerSecond === null) {
    return { name, checks: importTarget, unit, outcome: 'not measured', note: `the cached seed was ${builtBy}, not built by the bench: rerun with --rebuild to time the seed` };
  }
  return {
    name,
    checks: importTarget,
    outcome: 'measured',
    value: ledgerRowsPerSecond,
    unit,
    note: `${counts.ledger_entries.toLocaleString('en-US')} ledger entries; the seed command ran ${seconds} s (start-up included) when the cache was built on ${seed.meta.builtAt.slice(0, 10)}`,
  };
}

/** Everything measured against the running server: reads, credit grants, ingestion, the first screen. */
async function measureOverHttp(
  options: BenchOptions,
  workPath: string,
): Promise<{ rows: BenchRow[]; bare: BareReference; notes: string[]; samples: Samples; lead: BenchStaff; serverMain: string }> {
  const samples = pickSamples(workPath, options.anchor);
  log(`Preparing the work copy (staff, audit events) …`);
  const prepared = await prepareWorkDatabase(workPath, samples.customers.map((customer) => customer.id));
  const notes = [
    `The run's work copy also holds a bench lead and ${prepared.auditAppended.toLocaleString('en-US')} appended audit events ` +
      `(${prepared.auditTotal.toLocaleString('en-US')} in all, more than the lists count).`,
  ];
  const runs = creditableRuns(workPath, GRANTS_NEEDED);

  log('Building the server (npm run build:server) …');
  const server = await buildServer();
  const servers: ListeningProcess[] = [];
  try {
    const bareServer = await startListening(join(repoRoot, 'bench', 'bareServer.ts'), {});
    servers.push(bareServer);
    // The compiled server, as `npm start` runs it.
    const app = await startListening(server.main, {
      DATABASE_PATH: workPath,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'off',
    });
    servers.push(app);
    log(`Server ${app.url} (pid ${app.pid}), bare Express ${bareServer.url} (pid ${bareServer.pid}).`);
    notes.push(`The server is the compiled one \`npm start\` runs (\`node --enable-source-maps dist/server/main.mjs\`, built at the start of the run); it listened ${Math.round(app.startupMs)} ms after its spawn.`);

    const bare = new BareReference(bareServer.url, bareServer.pid);
    for (const connections of CONCURRENCY_LEVELS) {
      const reference = await bare.at(connections);
      log(`  bare Express, ${connections} connection(s): ${Math.round(reference.rate)} req/s, p50 ${reference.p50Ms.toFixed(2)} ms, ${Math.round(reference.serverCpuUs ?? 0)} µs CPU/req`);
    }

    const session = await httpSignIn(app.url, prepared.lead.email, prepared.lead.password);
    const rows: BenchRow[] = [];
    for (const scenario of readScenarios(samples)) {
      rows.push(await attempt(scenario.name, () => measureRead(scenario, app, session, bare), scenario.checks));
    }
    let grants: Awaited<ReturnType<typeof measureCreditGrants>> | undefined;
    rows.push(
      await attempt('credit grants, 20 clients', async () => {
        grants = await measureCreditGrants({ name: 'credit grants, 20 clients', apps: [app], atLeast: 500 }, session, runs, bare);
        return grants.row;
      }),
    );
    rows.push(
      await attempt('ingestion, signed batches of 1000 events', () =>
        measureIngestion(
          { name: 'ingestion, signed batches of 1000 events', app, storedWithPrefix: (prefix) => ledgerRowsWithPrefix(workPath, prefix), checks: [] },
          options.anchor,
        ),
      ),
    );
    rows.push(await attempt('sign-in → usable lookup box (Chromium)', () => measureFirstScreen(app.url, prepared.lead)));
    try {
      rows.push(...(await measureChatReview(app.url, prepared.lead, samples.chats.map((chat) => chat.id))));
    } catch (error) {
      log(`  chat review: not measured: ${(error as Error).message}`);
      rows.push({ name: 'pasted chat URL → chat review rendered (Chromium)', checks: [], outcome: 'not measured', note: (error as Error).message.split('\n')[0] });
    }

    await Promise.all(servers.splice(0).map((server) => server.stop()));
    if (grants && grants.row.outcome === 'measured') {
      // Read after the server stopped: every acknowledged grant must be in the database, once.
      const check = checkGrantsApplied(workPath, grants.keyPrefix, grants.created);
      grants.row.correct = check.ok;
      grants.row.note = `${grants.row.note ?? ''}; ${check.ok ? 'exactly once each' : 'NOT exactly once'}: ${check.note}`;
    }
    return { rows, bare, notes, samples, lead: prepared.lead, serverMain: server.main };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

async function main(): Promise<void> {
  const options = (() => {
    try {
      return readOptions(process.argv.slice(2), process.env);
    } catch (error) {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        log(`${(error as Error).message}\n${usage}`);
        process.exit(2);
      }
      throw error;
    }
  })();
  const startedAt = new Date();
  const started = performance.now();
  const command = `${process.env.BENCH_SCALE ? `BENCH_SCALE=${process.env.BENCH_SCALE} ` : ''}npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

  const seed = await ensureSeed(options);
  for (const note of seed.notes) log(note);
  log(`Seed: ${seed.path} (${Math.round(seed.bytes / 2 ** 20)} MiB, ${seed.meta.counts.ledger_entries.toLocaleString('en-US')} ledger entries).`);
  log('SPA bundle …');
  const spaRow = await attempt('SPA initial JS (gzip)', measureSpaBundle);

  log('Copying the seed to a work file …');
  const workPath = workCopy(seed);
  // After the seed build and the copy, which load the machine themselves: what else was running.
  const loadAtStart = currentLoad();
  try {
    const { rows, bare, notes, samples, lead, serverMain } = await measureOverHttp(options, workPath);
    log('Audit chain verification …');
    rows.push(await attempt('audit chain verification', measureAuditVerification));
    // Before the imports add their rows: what db:copy moves is the seed and what the HTTP rows wrote.
    log(`PostgreSQL (${process.env.DATABASE_URL ? "DATABASE_URL's server, a database of the run's own" : 'a private cluster with default durability'}) …`);
    rows.push(...(await measurePostgres(workPath, options.anchor, log, { serverMain, samples, lead, bare, attempt })));
    log('Import …');
    rows.push(await attempt('import (npm run import)', () => measureImport(workPath, options.anchor), importTarget));
    log('History import …');
    const historyRows = await measureHistoryImport(sqliteDestination(workPath), options.anchor).catch((error: Error): BenchRow[] => [
      { name: 'history import (--history)', checks: historyTarget, outcome: 'not measured', note: error.message.split('\n')[0] },
    ]);
    rows.push(...historyRows);
    notes.push(await checkWorkChain(workPath));
    log(notes[notes.length - 1]);
    const ceiling = await attempt('ledger table insert ceiling (reference)', () => measureLedgerCeiling(workPath, options.anchor));
    rows.push(ceiling);
    // The history import's target is a share of the ceiling, measured after it in the same work copy.
    withCeilingRatio(historyRows, ceiling);
    for (const row of historyRows) log(`  ${cells(row).filter(Boolean).join('  ')}`);
    rows.push(seedRow(seed), spaRow);
    // The browser rows last, together.
    for (const prefix of ['sign-in', 'pasted chat URL', 'helpdesk link']) {
      const index = rows.findIndex((row) => row.name.startsWith(prefix));
      if (index >= 0) rows.push(...rows.splice(index, 1));
    }

    process.stdout.write(`\n${consoleTable(rows)}\n`);
    if (options.writeReport) {
      writeBenchmarks({ command, startedAt, seconds: (performance.now() - started) / 1000, seed, rows, bare: bare.measured(), notes, loadAtStart });
      log('\nWrote BENCHMARKS.md.');
    }
  } finally {
    removeWorkCopy(workPath);
  }
}

await main();
