import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerRowsWithPrefix } from './ingestion.ts';
import { cacheDir, repoRoot } from './paths.ts';
import { runScript } from './processes.ts';
import type { BenchRow, Check } from './results.ts';
import { studioBatches, type StudioEvent } from './studioEvents.ts';

/** 300 batches of studioEvents.ts: 300,000 events, 90,000 of them token transactions. */
const HISTORY_BATCHES = 300;
const DAY_MS = 86_400_000;
/** Target: the history import loads ledger rows at half the rate the ledger table alone takes them, or more. */
export const historyTarget: Check[] = [{ metric: 'ceilingRatio', atLeast: 0.5 }];
/** Target on PostgreSQL: 50,000 ledger rows a second, whatever the table's own ceiling. */
export const postgresHistoryTarget: Check[] = [{ metric: 'value', atLeast: 50_000 }];

/** Where a history import goes: the database's settings for the command, and how its rows are counted afterwards. */
export interface HistoryDestination {
  /** Put before each row's name: '' for SQLite, 'PostgreSQL: '. */
  label: string;
  env: Record<string, string>;
  checks: Check[];
  /** Ledger entries whose id starts with `prefix`, counted in the database after the command. */
  ledgerRows(prefix: string): Promise<number>;
}

/** The run's SQLite work copy. */
export const sqliteDestination = (dbPath: string): HistoryDestination => ({
  label: '',
  env: { DATABASE_PATH: dbPath },
  checks: historyTarget,
  ledgerRows: async (prefix) => ledgerRowsWithPrefix(dbPath, prefix),
});

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

interface ImportRun {
  seconds: number;
  ledgerRows: number;
  events: number;
  checkSeconds: number;
}

/** `npm run import -- FILE --history` into `to`; its own timing (start-up and migrations left out). */
async function runHistoryImport(to: HistoryDestination, file: string, prefix: string, events: number): Promise<ImportRun> {
  const outcome = await runScript(join(repoRoot, 'server', 'cli', 'import.ts'), [file, '--history'], { ...to.env, LOG_LEVEL: 'warn' });
  if (outcome.code !== 0) throw new Error(`the history import failed: ${(outcome.stderr || outcome.stdout).slice(-300)}`);
  const printed = /This run: [\d,]+ lines in ([\d.]+) s/.exec(outcome.stdout);
  const checked = /Ledger checks .* in ([\d.]+) s/.exec(outcome.stdout);
  const rejected = /([\d,]+) rejected/.exec(outcome.stdout);
  if (!printed || !checked || rejected?.[1] !== '0') throw new Error(`unexpected summary: ${outcome.stdout.slice(0, 400)}`);
  return { seconds: Number(printed[1]), ledgerRows: await to.ledgerRows(prefix), events, checkSeconds: Number(checked[1]) };
}

function writeHistory(name: string, events: readonly StudioEvent[]): string {
  const file = join(cacheDir, name);
  writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return file;
}

/**
 * `npm run import -- FILE --history` of generated histories into `to` (the
 * SQLite work copy with the server stopped, or an empty PostgreSQL
 * database), two ways: one file of a whole history in time order (customers,
 * purchases and plan grants, chats, runs and their outcomes, assets, charges
 * and refunds: 30 % of the events are ledger entries), and another history
 * as two files, its records first, then its token transactions alone (every
 * event a ledger entry), the second timed.
 * Each figure is the command's own (it leaves out start-up and migrations, and
 * its closing ledger checks, timed apart). The ratio to the ledger table
 * insert ceiling is set by withCeilingRatio once that is measured.
 */
export async function measureHistoryImport(to: HistoryDestination, anchor: string): Promise<BenchRow[]> {
  const tag = Date.now().toString(36);
  const start = Date.parse(`${anchor}T00:00:00Z`) + 3 * DAY_MS;
  const rows: BenchRow[] = [];

  const mixedPrefix = `bench-hist-${tag}`;
  const mixed = studioBatches(mixedPrefix, HISTORY_BATCHES, start).flatMap((batch) => batch.events);
  const mixedFile = writeHistory('history-mixed.ndjson', mixed);
  try {
    const run = await runHistoryImport(to, mixedFile, mixedPrefix, mixed.length);
    rows.push({
      name: `${to.label}history import (--history), ${number(mixed.length)}-event history`,
      checks: to.checks,
      outcome: 'measured',
      value: run.ledgerRows / run.seconds,
      unit: 'ledger rows/s',
      note:
        `${number(run.ledgerRows)} ledger entries among ${number(run.events)} events of customers, chats, runs, assets and token transactions in time order, ` +
        `in ${run.seconds.toFixed(1)} s: ${number(run.events / run.seconds)} events/s; the closing ledger checks ${run.checkSeconds.toFixed(2)} s more`,
    });
  } finally {
    rmSync(mixedFile, { force: true });
  }

  const splitPrefix = `bench-hist2-${tag}`;
  const split = studioBatches(splitPrefix, HISTORY_BATCHES, start + DAY_MS).flatMap((batch) => batch.events);
  const recordEvents = split.filter((event) => !event.type.startsWith('tokens.'));
  const tokenEvents = split.filter((event) => event.type.startsWith('tokens.'));
  const recordsFile = writeHistory('history-records.ndjson', recordEvents);
  const tokensFile = writeHistory('history-tokens.ndjson', tokenEvents);
  try {
    const records = await runHistoryImport(to, recordsFile, splitPrefix, recordEvents.length);
    const tokens = await runHistoryImport(to, tokensFile, splitPrefix, tokenEvents.length);
    rows.push({
      name: `${to.label}history import (--history), ${number(tokens.events)} token transactions`,
      checks: to.checks,
      outcome: 'measured',
      value: tokens.ledgerRows / tokens.seconds,
      unit: 'ledger rows/s',
      note:
        `another history as two files: its ${number(records.events)} other events first (${number(records.events / records.seconds)} events/s), ` +
        `then its token transactions, every one a ledger entry, in ${tokens.seconds.toFixed(1)} s; the closing ledger checks ${tokens.checkSeconds.toFixed(2)} s more`,
    });
  } finally {
    rmSync(recordsFile, { force: true });
    rmSync(tokensFile, { force: true });
  }
  return rows;
}

/** Sets each row's ratio to the ledger table insert ceiling, measured later in the same run, and says it in the note. */
export function withCeilingRatio(rows: readonly BenchRow[], ceiling: BenchRow): void {
  for (const row of rows) {
    if (row.outcome !== 'measured' || row.value === undefined || ceiling.outcome !== 'measured' || !ceiling.value) continue;
    row.ceilingRatio = row.value / ceiling.value;
    row.note = `${row.ceilingRatio.toFixed(2)}× the ledger table insert ceiling; ${row.note ?? ''}`;
  }
}
