import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { migrate } from '../../db/migrate.ts';
import { openConfiguredDatabase, sqliteDatabase } from '../../db/openStorage.ts';
import { readImportCheckpoint, streamImportRejections } from '../../db/repositories/importReportQueries.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import type { Storage } from '../../db/storage/types.ts';
import { MAX_EVENTS_PER_BATCH, type IngestResult } from '../../shared/ingestEvents.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createContext } from '../context.ts';
import { importHistory, type HistoryImportOutcome } from '../ingest/history/historyImport.ts';
import { createProgress } from '../ingest/history/importProgress.ts';
import { createPostgresHistoryLoader, postgresLiveIngest } from '../ingest/history/postgresHistoryLoader.ts';
import { createSqliteHistoryLoader } from '../ingest/history/sqliteHistoryLoader.ts';
import { checkLedgerAfter, type LedgerCheck } from '../ledger/ledgerCheck.ts';
import { createLogger } from '../logger.ts';
import { fail, openCliContext } from './cliContext.ts';

const usage = `Usage: npm run import -- FILE.ndjson   (one ingestion event per line, through the live ingestion path)
       npm run import -- FILE.ndjson[.gz] --history [--chunk N]   (a bulk history load: resumable, checked, N lines per transaction, default 20000)`;
const DEFAULT_CHUNK = 20_000;
const number = (n: number): string => n.toLocaleString('en-US');

function parseFlags(): { file: string; history: boolean; chunk: number } {
  let parsed: ReturnType<typeof parseArgs<{ options: { history: { type: 'boolean' }; chunk: { type: 'string' } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options: { history: { type: 'boolean' }, chunk: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) fail(usage);
  const chunk = values.chunk === undefined ? DEFAULT_CHUNK : Number(values.chunk);
  if (values.chunk !== undefined && !values.history) fail(`--chunk goes with --history.\n${usage}`);
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 1_000_000) fail(`--chunk: must be a whole number from 1 to 1000000.\n${usage}`);
  if (!existsSync(positionals[0])) fail(`${positionals[0]}: no such file.`);
  return { file: positionals[0], history: values.history ?? false, chunk };
}

/** Same code path as POST /api/ingest/events, minus the signature: one transaction per 1000 events. */
async function importThroughIngestion(file: string): Promise<void> {
  const ctx = await openCliContext();
  const totals = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const shownRejections: string[] = [];
  const started = performance.now();
  let lastProgress = started;
  let batch: unknown[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result: IngestResult = await ctx.ingest.ingestBatch(batch, { requestId: `import:${file}`, clientIp: null });
    totals.accepted += result.accepted;
    totals.duplicates += result.duplicates;
    totals.rejected += result.rejected.length;
    for (const r of result.rejected) if (shownRejections.length < 20) shownRejections.push(`${r.id ?? '(no id)'}: ${r.error}`);
    batch = [];
    const now = performance.now();
    if (now - lastProgress > 2000) {
      lastProgress = now;
      process.stderr.write(`… ${totals.lines} lines, ${Math.round(totals.lines / ((now - started) / 1000))} events/s\n`);
    }
  };

  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    totals.lines++;
    try {
      batch.push(JSON.parse(line));
    } catch {
      totals.rejected++;
      if (shownRejections.length < 20) shownRejections.push(`line ${totals.lines}: not valid JSON`);
    }
    if (batch.length >= MAX_EVENTS_PER_BATCH) await flush();
  }
  await flush();
  await ctx.database.close();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `Imported ${file}: ${totals.lines} events, ${totals.accepted} accepted, ${totals.duplicates} duplicates, ${totals.rejected} rejected ` +
      `in ${seconds.toFixed(2)} s (${Math.round(totals.lines / Math.max(seconds, 0.001))} events/s).\n`,
  );
  if (shownRejections.length > 0) process.stdout.write(`Rejected:\n${shownRejections.map((r) => `  - ${r}`).join('\n')}\n`);
}

/** The configuration, or the command stopped with what is wrong in it. */
function historyConfig(): ReturnType<typeof loadConfig> {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/**
 * The bulk history import (server/ingest/history/historyImport.ts) into the
 * configured database: PostgreSQL's loader when DATABASE_URL names one, else
 * SQLite's on the storage seam's SQLite connections, which this process owns
 * (the loader writes on the storage's writer). Either way the report reads
 * through the seam and the closing ledger checks cover the import's entries.
 */
async function importWholeHistory(file: string, chunkSize: number): Promise<number> {
  const config = historyConfig();
  const progress = createProgress(process.stderr, statSync(file).size);
  if (config.databaseUrl) {
    const opened = await openConfiguredDatabase({ path: config.databasePath, url: config.databaseUrl.reveal() }, { applicationName: 'token-desk import' });
    if (opened.engine !== 'postgres') throw new Error('DATABASE_URL did not open PostgreSQL');
    const live = postgresLiveIngest(systemClock);
    const loader = createPostgresHistoryLoader(opened.pool, { liveIngest: live.factory, clock: systemClock });
    try {
      const outcome = await importHistory(loader, { path: file, chunkSize, progress });
      return await reportHistory(opened.storage, file, outcome, () => loader.checkLedgerAfter(outcome.ledgerSeqBefore));
    } finally {
      await loader.close();
      live.close();
      await opened.close();
    }
  }
  const storage = createSqliteStorage(config.databasePath);
  try {
    migrate(storage.writer);
    const ctx = createContext(sqliteDatabase(storage.writer, config.databasePath), config, systemClock, createLogger(config.logLevel));
    const loader = createSqliteHistoryLoader(storage.writer, { ingest: ctx.ingest, audit: ctx.audit, clock: ctx.clock });
    const outcome = await importHistory(loader, { path: file, chunkSize, progress });
    return await reportHistory(storage, file, outcome, async () => checkLedgerAfter(storage.writer, outcome.ledgerSeqBefore));
  } finally {
    await storage.close();
  }
}

/** The import's summary, its rejected lines and its closing ledger checks; the exit code. */
async function reportHistory(storage: Storage, file: string, outcome: HistoryImportOutcome, checkLedger: () => Promise<LedgerCheck>): Promise<number> {
  const checkpoint = await readImportCheckpoint(storage, outcome.file.key);
  if (!checkpoint) throw new Error(`the checkpoint of ${file} is missing`);

  const { run } = outcome;
  const out: string[] = [];
  out.push(
    `Imported ${file} (history): ${number(checkpoint.events)} events, ${number(checkpoint.applied)} applied, ${number(checkpoint.duplicates)} duplicates, ` +
      `${number(checkpoint.rejected)} rejected; ${number(checkpoint.ledger_rows)} ledger entries.`,
  );
  if (outcome.alreadyImported) out.push(`Already imported on ${checkpoint.finished_at}: nothing read this time.`);
  else {
    const seconds = Math.max(run.seconds, 0.001);
    out.push(
      `This run: ${number(run.events)} lines in ${run.seconds.toFixed(2)} s, ${run.chunks} chunks` +
        (run.fromLine > 0 ? ` (resumed after line ${number(run.fromLine)})` : '') +
        `: ${number(Math.round(run.ledgerRows / seconds))} ledger rows/s, ${number(Math.round(run.events / seconds))} events/s.`,
    );
    if (run.refusedChunks > 0) out.push(`The database refused ${run.refusedChunks} chunk(s): they were split to find the lines it refuses.`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (checkpoint.rejected > 0) {
    process.stdout.write(`Rejected lines (${number(checkpoint.rejected)}):\n`);
    await storage.snapshot(async (snapshot) => {
      for await (const r of streamImportRejections(snapshot, outcome.file.key)) {
        process.stdout.write(`  line ${r.line}${r.event_id ? ` (${r.event_id})` : ''}: ${r.reason}\n`);
      }
    });
  }

  const checkStarted = performance.now();
  const check = await checkLedger();
  const checkSeconds = ((performance.now() - checkStarted) / 1000).toFixed(2);
  if (!check.ok) {
    process.stderr.write(`Ledger check over the import FAILED (${checkSeconds} s):\n${check.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(
    `Ledger checks (npm run ledger:verify's) over the import: OK, ${number(check.entries)} entries and every balance, run, credit and reversal they touch, in ${checkSeconds} s.\n`,
  );
  return 0;
}

const flags = parseFlags();
if (flags.history) {
  try {
    process.exitCode = await importWholeHistory(flags.file, flags.chunk);
  } catch (error) {
    fail(`Import stopped: ${(error as Error).message}\nWhat was committed stays; run the same command again to continue from there.`);
  }
} else await importThroughIngestion(flags.file);
